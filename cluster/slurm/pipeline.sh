#!/usr/bin/env bash
# Submits training, then a sampling sweep that starts only if training succeeds.
#
#   cluster/slurm/pipeline.sh configs/mnist.yaml [RUN_NAME]
#
# The sweep samples the final checkpoint (runs/NAME/checkpoints/latest.h5 is resolved by
# diffuse-sample's `--checkpoint RUN_DIR`) into runs/NAME/sweep/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
config=${1:?usage: pipeline.sh CONFIG [RUN_NAME]}
name=${2:-$(basename "${config%.*}")}
runs=${DIFFUSE_RUNS:-runs}
read -r -a samplers <<< "${SAMPLERS:-euler heun ddim}"
read -r -a steps <<< "${STEPS:-16 64}"
last=$(( ${#samplers[@]} * ${#steps[@]} - 1 ))

train=$(sbatch --parsable "$here/train.sbatch" "$config" "$name")
sample=$(sbatch --parsable --dependency=afterok:"$train" --array=0-"$last" \
         "$here/sample.sbatch" "$runs/$name" "$runs/$name/sweep")
echo "submitted training job $train and sampling array $sample (after $train succeeds)"
