#!/usr/bin/env bash
# Steady-state time of one mmaplog command in two revisions, loaded side by side in one process
# (SideBySide/), as A/B ratios pair by pair. Prints figures, asserts nothing.
#   Usage: tests/Sinks.Mmap.Tool.Tests/bench/side-by-side.sh REV_A REV_B [events] [rounds] [-- mmaplog arguments, LOG for the log]
#   e.g.   side-by-side.sh HEAD 01e3af9 1000000 40 -- cat LOG --format clef      (the default command)
# Builds each revision's tool in a temporary worktree; the log is written by REV_A's TestChild.
set -euo pipefail
cd "$(dirname "$0")/../../.."
A=$1; B=$2; EVENTS=${3:-1000000}; ROUNDS=${4:-40}
shift $(( $# < 4 ? $# : 4 ))
[ "${1:-}" = "--" ] && shift
COMMAND=("$@"); [ ${#COMMAND[@]} -eq 0 ] && COMMAND=(cat LOG --format clef)
WORK=$(mktemp -d /tmp/side-by-side.XXXXXX)
cleanup() { git worktree remove --force "$WORK/a" 2>/dev/null || true; git worktree remove --force "$WORK/b" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
git worktree add -q --detach "$WORK/a" "$A"
git worktree add -q --detach "$WORK/b" "$B"
for side in a b; do dotnet build "$WORK/$side/src/Sinks.Mmap.Tool" -c Release -v q -nologo >/dev/null; done
dotnet build "$WORK/a/tests/Sinks.Mmap.TestChild" -c Release -v q -nologo >/dev/null
dotnet build tests/Sinks.Mmap.Tool.Tests/bench/SideBySide -c Release -v q -nologo -o "$WORK/bin" >/dev/null
dotnet "$WORK/a/tests/Sinks.Mmap.TestChild/bin/Release/net10.0/Sinks.Mmap.TestChild.dll" "$WORK/log/app.mlog" 1 67108864 write "$WORK/ack" 1 "$EVENTS" >/dev/null
ARGS=(); for arg in "${COMMAND[@]}"; do ARGS+=("${arg//LOG/$WORK/log/app.mlog}"); done
echo "A = $A ($(git rev-parse --short "$A")), B = $B ($(git rev-parse --short "$B")); $EVENTS events; mmaplog ${COMMAND[*]}"
dotnet "$WORK/bin/SideBySide.dll" "$WORK/a/src/Sinks.Mmap.Tool/bin/Release/net10.0" "$WORK/b/src/Sinks.Mmap.Tool/bin/Release/net10.0" "$ROUNDS" "${ARGS[@]}"
