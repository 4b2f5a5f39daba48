#!/bin/bash
# Submit a sharded Tianxia batch to Slurm: the array (deploy/slurm/batch.sbatch, one
# element per shard) and the merge (deploy/slurm/merge.sbatch) once every element succeeded.
#
#   SHARDS=32 CPUS_PER_TASK=2 deploy/slurm/submit.sh OUT_ROOT SCENARIO \
#       --runs 1000000 --seed 7 --arm baseline --arm no_blizzard
#
# Results in OUT_ROOT/results, Slurm logs in OUT_ROOT/logs. Prints the two job ids.
# Other sbatch options: Slurm's SBATCH_* environment variables (SBATCH_PARTITION,
# SBATCH_TIMELIMIT, ...), or SBATCH_ARGS (split on spaces), apply to both jobs.
# If an element fails, the merge never starts: resubmit that element (see batch.sbatch),
# then sbatch deploy/slurm/merge.sbatch OUT_ROOT.
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: [SHARDS=N] [CPUS_PER_TASK=C] $0 OUT_ROOT SCENARIO [tianxia batch flags...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
shards=${SHARDS:-32}
cpus=${CPUS_PER_TASK:-1}
out_root=$1
mkdir -p "$out_root/logs"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array="0-$((shards - 1))" \
    --cpus-per-task="$cpus" --output="$out_root/logs/batch-%A_%a.out" \
    "$here/batch.sbatch" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency="afterok:$array" \
    --output="$out_root/logs/merge-%j.out" "$here/merge.sbatch" "$out_root")
merge=${merge%%;*}
echo "array job $array ($shards shards), merge job $merge"
