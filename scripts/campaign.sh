#!/usr/bin/env bash
# Long sweeps ("campaigns") from a checkout pinned at one commit, outside the development tree.
#   bash scripts/campaign.sh start <pipeline> [pipeline flags...]   pin (once), install, run in the background
#   bash scripts/campaign.sh status                                 pinned commit, running sweeps, last log lines
#   bash scripts/campaign.sh queue <entry> <entry>...               run them one after another in the background;
#                                                                   an entry is a pipeline and its flags, quoted as one
#                                                                   argument: "l1-sweep --cell 'L1 0' --cell 'L1 0.01'"
#   bash scripts/campaign.sh stop <pipeline>                        stop it (a later start resumes)
#   bash scripts/campaign.sh stop queue                             stop the queue and the sweep it is running
# The campaign folder is $RECTIFIER_CAMPAIGN_DIR (default ~/rectifier-campaign): src/ is a checkout
# detached at the commit that was HEAD on the first start, runs/ the sweep folders, logs/ one log per
# pipeline. src/ is a clone with its own .git (not a worktree of the development tree), so it survives
# the development tree being laid anew between sessions and records still name their commit. Runs are keyed by configuration and numerics version and checkpointed after every epoch, so
# `start` after any stop (a kill, a reboot, the end of a session) resumes where the sweep stopped.
# Each sweep reuses the finished runs committed in the development tree's results/ (`--reuse-results`:
# any pipeline's record of the same configuration), so a fresh machine, which has no campaign folder,
# does not compute them again.
# Edits in the development tree never reach a running campaign; to move it to newer code, stop it and
# `git -C <dir>/src checkout --detach <commit>` (finished runs stay valid while NUMERICS_VERSION is unchanged).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${RECTIFIER_CAMPAIGN_DIR:-$HOME/rectifier-campaign}"
mkdir -p "$dir/runs" "$dir/logs"

pin() {
  if [[ ! -d "$dir/src" ]]; then
    git clone --quiet --no-checkout "$repo" "$dir/src"
    git -C "$dir/src" checkout --quiet --detach "$(git -C "$repo" rev-parse HEAD)"
    (cd "$dir/src" && pnpm install --frozen-lockfile --reporter=silent)
  fi
}

# Exits when the process in pidfile $1 is alive, saying $2 (and $3 after the pid).
refuse_if_running() {
  if [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; then
    echo "campaign: $2 (pid $(cat "$1"))${3:-}" >&2
    exit 1
  fi
}

case "${1:-}" in
  start)
    name="${2:?usage: campaign.sh start <pipeline> [flags...]}"
    shift 2
    pin
    pidfile="$dir/logs/$name.pid"
    refuse_if_running "$pidfile" "$name is already running"
    cd "$dir/src"
    setsid nohup pnpm run --silent pipeline "$name" --parallel 2 --out "$dir/runs" --reuse-results "$repo/results" "$@" \
      >>"$dir/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    echo "campaign: $name started from $(git rev-parse --short HEAD) (pid $!); log $dir/logs/$name.log"
    ;;
  queue)
    shift
    (( $# > 0 )) || { echo "usage: campaign.sh queue <pipeline> <pipeline>..." >&2; exit 2; }
    pin
    pidfile="$dir/logs/queue.pid"
    refuse_if_running "$pidfile" "a queue is already running" "; stop it first"
    cd "$dir/src"
    # One sweep at a time, each with both cores; a sweep that fails (exit 1: some runs failed) does not stop the queue.
    setsid nohup bash -c '
      dir="$1"; repo="$2"; shift 2
      for entry in "$@"; do
        eval "words=($entry)"
        name="${words[0]}"
        # A sweep of the same pipeline started apart ("start") finishes first: two sweeps would contend for its runs.
        while [[ -f "$dir/logs/$name.pid" ]] && kill -0 "$(cat "$dir/logs/$name.pid")" 2>/dev/null; do sleep 60; done
        echo "queue: $entry started $(date -u +%FT%TZ)" >>"$dir/logs/queue.log"
        pnpm run --silent pipeline "${words[@]}" --parallel 2 --out "$dir/runs" --reuse-results "$repo/results" >>"$dir/logs/$name.log" 2>&1 </dev/null
        echo "queue: $entry ended (exit $?) $(date -u +%FT%TZ)" >>"$dir/logs/queue.log"
      done' queue "$dir" "$repo" "$@" >/dev/null 2>&1 </dev/null &
    echo $! >"$pidfile"
    echo "campaign: queue of $* started from $(git rev-parse --short HEAD) (pid $!); log $dir/logs/queue.log"
    ;;
  status)
    [[ -d "$dir/src" ]] && echo "pinned at $(git -C "$dir/src" rev-parse HEAD)" || echo "not pinned yet"
    for pidfile in "$dir"/logs/*.pid; do
      [[ -e "$pidfile" ]] || continue
      name="$(basename "$pidfile" .pid)"
      state=stopped
      kill -0 "$(cat "$pidfile")" 2>/dev/null && state="running (pid $(cat "$pidfile"))"
      echo "$name: $state"
      if [[ -f "$dir/logs/$name.log" ]]; then tail -n 3 "$dir/logs/$name.log" | sed 's/^/  /'; fi
    done
    ;;
  stop)
    name="${2:?usage: campaign.sh stop <pipeline>}"
    kill -- -"$(cat "$dir/logs/$name.pid")" 2>/dev/null || true
    ;;
  *)
    sed -n '2,10p' "$0"
    exit 2
    ;;
esac
