/** The run lock lives in @rectifier/pipeline (a resume takes it too); re-exported here for the sweep's users. */
export {
  acquireRunLock,
  clearStaleLock,
  currentProcess,
  type LockHolder,
  processHolder,
  processStartTime,
  releaseRunLock,
  RunLocked,
  RunLockStuck,
  takeRunLock
} from "@rectifier/pipeline"
