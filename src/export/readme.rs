//! The exported project's README: what the files are, how to run them on a CPU, a GPU
//! and a cluster, what matches gradlab and what cannot, and the link back.

use crate::experiment::{ExperimentConfig, PreparedData};
use crate::nn::Layer;

/// The README of the project exported from `config`.
pub fn readme(config: &ExperimentConfig, label: &str, link: &str, data: &PreparedData) -> String {
    let layers = crate::experiment::model::model_layers(config);
    let dropout_note = if layers.iter().any(|l| has(l, "dropout")) {
        "\nThis model has dropout. PyTorch draws its own dropout masks (seeded with the \
         experiment's seed), so the run is the same experiment but not the same numbers as \
         gradlab's: the masks are not carried over. Everything else (data, initial weights, \
         batch order, loss, optimizer) is gradlab's.\n"
    } else {
        ""
    };
    // The translator's encoder-decoder attends too (self- and cross-attention).
    let translator = crate::experiment::seq2seq_config(config).is_some();
    let attends = translator || layers.iter().any(|l| has(l, "attn"));
    let attention_note = if attends {
        format!(
            "\nOne slice of the attention layers' weights is the exception: the key bias \
         (`in_proj_bias[D:2D]`). It adds the same number to all of a query's scores, which \
         softmax ignores, so its gradient is zero but for rounding noise, and Adam scales \
         that noise up to steps of about the learning rate, in directions that differ \
         between any two summation orders (gradlab's and PyTorch's, one process and \
         several). It differs by up to a few learning rates and changes no output.{}\n",
            if translator {
                " Through rounding it reaches the query projections a little: measured, \
             they stay within 2e-5 of gradlab's after 20 steps of a small translator, \
             every other weight within 1e-6."
            } else {
                ""
            }
        )
    } else {
        String::new()
    };
    // How the trained model file is used from gradlab's command line.
    let use_model = if translator {
        "`gradlab translate --model out/model.safetensors \"March 3, 2021\"`"
    } else if config.data.is_language_model() {
        "`gradlab sample --model out/model.safetensors`"
    } else {
        "`gradlab predict --model out/model.safetensors rows.csv`"
    };
    let data_text = if translator {
        format!(
            "{} training and {} test date pairs as gradlab's runner builds them: each row \
             the padded source ids then the decoder's input (teacher forcing), its targets \
             the next target ids with -1 for padding",
            data.train.n, data.test.n
        )
    } else if config.data.is_language_model() {
        format!(
            "the training text's token ids, and {} training and {} validation windows of \
             {} tokens (the fixed evaluation sets)",
            data.train.n, data.test.n, config.context
        )
    } else {
        format!(
            "{} training and {} test rows after gradlab's preprocessing",
            data.train.n, data.test.n
        )
    };
    TEMPLATE
        .replace("{LABEL}", label)
        .replace("{LINK}", link)
        .replace("{DATA}", &data_text)
        .replace("{USE}", use_model)
        .replace("{NOTES}", &format!("{dropout_note}{attention_note}"))
}

/// Whether `layer` is, or holds, a layer called `name`.
fn has(layer: &Layer, name: &str) -> bool {
    match layer {
        Layer::Residual(body) => body.iter().any(|l| has(l, name)),
        _ => layer.name() == name,
    }
}

const TEMPLATE: &str = "\
# gradlab experiment `{LABEL}`, as a PyTorch project

Exported by gradlab from the experiment

    {LINK}

(open gradlab's page with that fragment after the `#` of its address, or replay it with
`gradlab run '{LINK}'`).

| file | what |
|---|---|
| `train.py` | the model, data pipeline, optimizer, evaluation and outputs; PyTorch only |
| `data.safetensors` | {DATA} |
| `init.safetensors` | the initial weights gradlab drew, with its parameter names |

`train.py` trains exactly as gradlab does: the same initial weights, the same batch order
(gradlab's random stream, re-implemented in `Rng`; a language model's random windows
from the same stream), the same loss, the same optimizer equations, hyperparameters and
learning-rate schedule, the same evaluation. On the CPU its weights agree with
gradlab's to about 1e-6 after a few steps (other kernels round in other orders).
{NOTES}
## Run it

Install PyTorch (`pip install torch`), then:

    python train.py                      # CUDA when there is a GPU, else the CPU
    python train.py --device cpu
    python train.py --device cuda --amp  # bf16 autocast
    python train.py --steps 20000 --batch-size 256 --lr 0.003 --compile

Outputs go to `out/` (`--out DIR`): `metrics.json` (gradlab's layout: history, final
losses and metrics), `model.safetensors` (gradlab's model file: {USE} and
the page's model import read it) and `checkpoint.pt`
(`--checkpoint-every N` saves it every N steps; `--resume` continues from it).

## More GPUs, more machines

`torchrun` starts one process per GPU; DistributedDataParallel averages the gradients.
Each global batch (gradlab's batch order) is split across the processes, and the loss is
the mean over the global batch, so the result matches the single-process run (to float
rounding) for any number of processes. `--batch-size` is the global batch.

One machine, 8 GPUs:

    torchrun --standalone --nproc_per_node=8 train.py

Two machines of 8 GPUs each (run on both; HOST is the first machine's address):

    torchrun --nnodes=2 --nproc_per_node=8 --rdzv-backend=c10d \\
        --rdzv-endpoint=HOST:29500 --rdzv-id=gradlab-{LABEL} train.py

Only rank 0 writes `out/`; to `--resume` on several machines, give `--out` a folder they
all see (a shared file system).

On CPUs only, the processes talk through gloo:

    torchrun --standalone --nproc_per_node=2 train.py --device cpu
";
