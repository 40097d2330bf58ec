#!/usr/bin/env bash
# mmaplog speed, as ratios from one run (issue 20): prints figures, asserts nothing.
#   tail:  cat --tail 20 on a ~1 GB log against cat --tail 20 on a ~10 MB log      (goal: within 2x)
#   since: cat --since over the last 1 % of the 1 GB log against a full cat (clef, then text) (goal: under 5 %)
#   where: cat --where 'Counter = N' against cat --format clef | grep for the same event (goal: <= 1x)
# Each pair runs under farm-bench --vs (A and B in turn, the ratio taken pair by pair; quote the median).
# Usage: tests/Sinks.Mmap.Tool.Tests/bench/tool-speed.sh [big-events] [small-events]   (defaults: 23000000 ≈ 1 GB, 220000 ≈ 10 MB)
# Needs ~1.2 GB free in /tmp; the logs are deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BIG=${1:-23000000}
SMALL=${2:-220000}
WORK=$(mktemp -d /tmp/mmaplog-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

dotnet build src/Sinks.Mmap.Tool -c Release -v q -nologo >/dev/null
dotnet build tests/Sinks.Mmap.TestChild -c Release -v q -nologo >/dev/null
TOOL=$(pwd)/src/Sinks.Mmap.Tool/bin/Release/net10.0/mmaplog.dll
CHILD=$(pwd)/tests/Sinks.Mmap.TestChild/bin/Release/net10.0/Sinks.Mmap.TestChild.dll

# One writer thread, 64 MiB segments, "Round {Round} thread {Thread} event {Counter}" stamped with the clock.
dotnet "$CHILD" "$WORK/big/app.mlog" 1 67108864 write "$WORK/big.ack" 1 "$BIG" >/dev/null
dotnet "$CHILD" "$WORK/small/app.mlog" 1 67108864 write "$WORK/small.ack" 1 "$SMALL" >/dev/null
echo "big log:   $(du -sh "$WORK/big" | cut -f1) ($BIG events, $(ls "$WORK/big" | grep -c 'mlog$') segments)"
echo "small log: $(du -sh "$WORK/small" | cut -f1) ($SMALL events)"

echo; echo "== tail: cat --tail 20, 1 GB (A) vs 10 MB (B)"
farm-bench -n 5 --timeout 600 --vs "dotnet $TOOL cat $WORK/small/app.mlog --tail 20" -- dotnet "$TOOL" cat "$WORK/big/app.mlog" --tail 20

# The time of the event at 99 % of the log: --since from there prints the last 1 %.
SINCE=$(dotnet "$TOOL" cat "$WORK/big/app.mlog" --tail $((BIG / 100)) --format clef | head -1 | sed -E 's/^\{"@t":"([^"]+)".*/\1/')
echo; echo "== since: cat --since $SINCE (last 1 %) (A) vs full cat (B), both --format clef"
farm-bench -n 3 --timeout 1800 --vs "dotnet $TOOL cat $WORK/big/app.mlog --format clef" -- dotnet "$TOOL" cat "$WORK/big/app.mlog" --since "$SINCE" --format clef

echo; echo "== since, text: cat --since $SINCE (A) vs full cat (B), the default text format"
farm-bench -n 3 --timeout 1800 --vs "dotnet $TOOL cat $WORK/big/app.mlog" -- dotnet "$TOOL" cat "$WORK/big/app.mlog" --since "$SINCE"

N=$((BIG / 2))
echo; echo "== where: cat --where 'Counter = $N' (A) vs cat --format clef | grep '\"Counter\":$N,' (B)"
farm-bench -n 3 --timeout 1800 --vs "sh -c 'dotnet $TOOL cat $WORK/big/app.mlog --format clef | grep -F \"\\\"Counter\\\":$N}\"'" -- dotnet "$TOOL" cat "$WORK/big/app.mlog" --where "Counter = $N"
