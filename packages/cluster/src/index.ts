/**
 * Sweeps across machines on Effect Cluster over PostgreSQL: runs as durable
 * workflows keyed by run identity, runners, the submit side, the run board
 * and the status listing.
 */
export * from "./Database.ts"
export * from "./RunBoard.ts"
export * from "./Runner.ts"
export * from "./Status.ts"
export * from "./Submit.ts"
export * from "./SweepRunWorkflow.ts"
