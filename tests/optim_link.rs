//! The link carries the schedule, AdamW's embedding choice and the text context: they
//! round-trip exactly, and links without them (every link written before them, every
//! table preset's) are byte for byte as before and read back to the defaults.

use gradlab::data::text::{TextSet, SHAKESPEARE_IDS};
use gradlab::experiment::{
    decode_link, encode_link, presets, Budget, DataSource, ExperimentConfig, LossKind,
};
use gradlab::nn::{parse_stack, InitScheme};
use gradlab::optim::{OptimizerConfig, OptimizerKind, ScheduleKind};

use gradlab::experiment::link::OPTIONAL_KEYS as NEW_KEYS;

fn keys(link: &str) -> Vec<String> {
    link.trim_start_matches('#')
        .split('&')
        .map(|kv| kv.split('=').next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn table_presets_write_none_of_the_new_keys_and_read_back_without_warnings() {
    // The text presets use the new keys on purpose (their schedules).
    for p in presets()
        .iter()
        .filter(|p| !gradlab::experiment::is_text_preset(p.name))
    {
        let c = (p.config)();
        let link = encode_link(&c, None, None).unwrap().fragment;
        let k = keys(&link);
        for key in NEW_KEYS {
            assert!(!k.iter().any(|x| x == key), "{}: {link}", p.name);
        }
        let d = decode_link(&link).unwrap();
        assert_eq!(d.warnings, vec![], "{}", p.name);
        assert_eq!(d.config, c, "{}", p.name);
        // Both versions occur (MLPs write v1, stacks v2), and read the defaults.
        let defaults = OptimizerConfig::default();
        assert_eq!(d.config.optimizer.schedule, ScheduleKind::Constant);
        assert_eq!(
            (
                d.config.optimizer.warmup_steps,
                d.config.optimizer.decay_steps
            ),
            (0, 0)
        );
        assert_eq!(
            d.config.optimizer.decay_embeddings,
            defaults.decay_embeddings
        );
    }
}

#[test]
fn schedule_embedding_decay_and_context_round_trip() {
    let v = SHAKESPEARE_IDS;
    let c = ExperimentConfig {
        data: DataSource::Text(TextSet::Shakespeare),
        hidden: Vec::new(),
        activations: Vec::new(),
        model: Some(parse_stack(&format!("embed({v},16),dense({v})")).unwrap()),
        loss: LossKind::CrossEntropy,
        test_fraction: 0.1,
        context: 48,
        batch_size: 12,
        optimizer: OptimizerConfig {
            kind: OptimizerKind::AdamW,
            lr: 1e-3,
            weight_decay: 0.1,
            clip_norm: Some(1.0),
            schedule: ScheduleKind::WarmupCosine,
            warmup_steps: 100,
            decay_steps: 2000,
            min_lr: 1e-4,
            decay_matrices_only: true,
            decay_embeddings: false,
            ..OptimizerConfig::default()
        },
        budget: Budget::Steps(2000),
        eval_every: 250,
        init: InitScheme::Gpt,
        ..ExperimentConfig::default()
    };
    let link = encode_link(&c, None, None).unwrap().fragment;
    let k = keys(&link);
    // `s2s` belongs to the date translator alone (its round trip: tests/text_translate.rs).
    for key in NEW_KEYS.iter().filter(|&&key| key != "s2s") {
        assert!(k.iter().any(|x| x == key), "{key} missing from {link}");
    }
    assert!(link.contains("data=shakespeare"), "{link}");
    let d = decode_link(&link).unwrap();
    assert_eq!(d.warnings, vec![]);
    assert_eq!(d.config, c);
    // An invalid schedule (decay before the warmup ends) is refused by validation.
    let bad = ExperimentConfig {
        optimizer: OptimizerConfig {
            decay_steps: 50,
            ..c.optimizer.clone()
        },
        ..c.clone()
    };
    let e = gradlab::experiment::validate(&bad).unwrap_err().to_string();
    assert!(e.contains("decay_steps"), "{e}");
}

#[test]
fn a_text_model_that_does_not_fit_its_data_is_refused_clearly() {
    let c = ExperimentConfig {
        data: DataSource::Text(TextSet::Shakespeare),
        hidden: Vec::new(),
        activations: Vec::new(),
        model: Some(parse_stack("embed(10,16),dense(66)").unwrap()),
        ..ExperimentConfig::default()
    };
    let e = gradlab::experiment::validate(&c).unwrap_err().to_string();
    assert!(e.contains("embed(66"), "{e}");
    // A table model on text, and an embedding on a table, likewise.
    let mlp = ExperimentConfig {
        data: DataSource::Text(TextSet::Sentiment),
        ..ExperimentConfig::default()
    };
    let e = gradlab::experiment::validate(&mlp).unwrap_err().to_string();
    assert!(e.contains("must start with embed"), "{e}");
    // A link asking for text with a table model is repaired, with a warning, never an
    // error: the stack gives way to the default network, the text to the default data.
    let d = decode_link("#v=2&data=sentiment&model=dense(2)&ctx=16").unwrap();
    assert_eq!(d.config.data, ExperimentConfig::default().data);
    assert!(
        d.warnings.iter().any(|w| w.key == "data"),
        "{:?}",
        d.warnings
    );
}
