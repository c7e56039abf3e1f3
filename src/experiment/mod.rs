//! Experiments: the typed configuration, named presets, validation, and the runner
//! (the one training loop used by the page, the CLI and the tests).

mod config;
mod cost;
mod cost_limits;
mod cost_stack;
mod date_lens;
pub mod dropout;
mod export;
mod history;
pub mod limits;
pub mod link;
pub mod model;
mod prepare;
mod presets;
mod presets_text;
mod runner;
mod runner_attention;
mod runner_attention_sentence;
mod runner_eval;
mod runner_health;
mod runner_inspect;
mod runner_plots;
mod runner_predict;
mod runner_refresh;
mod runner_seq2seq;
mod runner_seq2seq_spec;
mod runner_snapshot;
mod runner_text;
mod runner_text_infer;
mod runner_text_stream;
mod runner_view;
mod runner_weights;
mod snapshot_bytes;
mod snapshot_bytes_io;
mod user_text;
mod validate;
mod verdict;

pub use config::{BackendChoice, Budget, DataSource, ExperimentConfig, LossKind};
pub use cost::{
    activation_ops, optimizer_ops, optimizer_state_values, Cost, LayerCost, Rows,
    PAGE_CURVE_POINTS, PAGE_DIGITS_SHOWN, PAGE_GRID_CELLS, VALUE_BYTES,
};
pub use date_lens::{translate_texts, DateLens, DateLook, END_LABEL, START_LABEL};
pub use export::{
    from_safetensors, safetensors_metadata, sha256_hex, to_safetensors, CONFIG_KEY, LINK_KEY,
};
pub use history::{Evaluation, HistoryPoint, Metrics, NamedWeight};
pub use limits::{Ceiling, CostLimits, DEFAULT_COST_LIMITS};
pub use link::{decode_link, encode_link, import_tfplayground, DecodedLink, EncodedLink, Warning};
pub use prepare::{prepare, streams, PreparedData};
pub use presets::{preset, presets, Preset};
pub use presets_text::{is_text_preset, TEXT_PRESETS_READY};
pub use runner::{Runner, EVAL_CHUNK_ROWS, EVAL_TEST_ROWS, EVAL_TRAIN_ROWS, MAX_HISTORY_POINTS};
pub use runner_attention::{cpu_model, AttentionLayer, AttentionMaps, TextLens, Tokens};
pub use runner_attention_sentence::{SentenceLook, POSITIVE_CLASS};
pub use runner_eval::PendingEvaluation;
pub use runner_inspect::Inspection;
pub use runner_plots::{
    grid_bound, DigitsPlot, PlotData, PLOT_CURVE_POINTS, PLOT_DIGITS, PLOT_GRID,
};
pub use runner_predict::{image_spec, Prediction};
pub use runner_refresh::Refresh;
pub use runner_seq2seq::{date_source_ids, DATE_DECODE};
pub use runner_seq2seq_spec::{
    date_vocab_sizes, seq2seq_config, Seq2SeqSpec, S2S_DIM, S2S_FF, S2S_HEADS, S2S_LAYERS,
};
pub use runner_snapshot::Snapshot;
pub use runner_text::{text_tokens, LmStream, FIRST_CHAR_ID, LM_EVAL_WINDOWS};
pub use runner_text_infer::{
    draw_token, parse_vocab, text_vocab, SampleOptions, TextVocab, VOCAB_KEY,
};
pub use runner_text_stream::{
    check_prompt, top_chars, unknown_chars, visible_char, TextStream, MAX_STREAM_CHARS,
};
pub use runner_view::{Curve1d, GridView, Points2d};
pub use snapshot_bytes::{
    check_snapshot_fits, decode_saved_run, encode_saved_run, saved_run_bytes, SavedRun,
    SAVED_RUN_FORMAT, SAVED_RUN_HEADER_BYTES, SAVED_RUN_MAGIC,
};
pub use user_text::user_text_config;
pub use validate::{
    validate, MAX_BATCH_SIZE, MAX_EPOCHS, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, MAX_LR, MAX_SAMPLES,
    MAX_STEPS, MIN_SAMPLES,
};
pub use verdict::{assess, bytes, flops, judge, Excess, Measure, Verdict};
