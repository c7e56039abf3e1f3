//! Kernels, their explicit bind-group layouts, and the caches: shader modules per family,
//! pipelines per entry point and bind groups per set of buffers, each created once.
//!
//! Every kernel binds its parameters at binding 0 (a uniform with a dynamic offset into
//! the per-submit uniform arena) and its storage buffers from binding 1 on.

use super::pool::PooledBuffer;
use super::stats::Counters;
use crate::op::{BinaryOp, ReduceOp, UnaryOp};
use std::collections::HashMap;
use std::num::NonZeroU64;
use std::rc::Rc;

/// Bytes of one kernel's parameters (the uniform binding size).
pub const PARAMS_BYTES: u64 = 256;

/// Bind groups kept at most; the cache is emptied past this (buffers are pooled, so a
/// training loop reuses a small set and never gets near it).
const BIND_GROUP_CACHE: usize = 8192;

/// The file of pure helper functions (`shaders/common.wgsl`) prepended to every family.
pub const COMMON_FILE: &str = "common.wgsl";

/// A family's WGSL file with [`COMMON_FILE`] in front (WGSL has no includes).
macro_rules! family_source {
    ($file:literal) => {
        concat!(
            include_str!("../../../shaders/common.wgsl"),
            include_str!(concat!("../../../shaders/", $file))
        )
    };
}

/// A kernel family: one file `shaders/<family>.wgsl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `unary.wgsl`
    Unary,
    /// `binary.wgsl`
    Binary,
    /// `select.wgsl`
    Select,
    /// `reduce.wgsl`
    Reduce,
    /// `movement.wgsl`
    Movement,
    /// `gather.wgsl`
    Gather,
    /// `matmul.wgsl`
    Matmul,
    /// `update.wgsl`
    Update,
    /// `health.wgsl`
    Health,
    /// `conv.wgsl`
    Conv,
    /// `pool.wgsl`
    Pool,
    /// `softmax.wgsl`
    Softmax,
    /// `norm.wgsl`
    Norm,
    /// `norm_backward.wgsl`
    NormBackward,
    /// `loss.wgsl`
    Loss,
    /// `loss_backward.wgsl`
    LossBackward,
    /// `clip.wgsl`
    Clip,
}

impl Family {
    /// Every family.
    pub const ALL: [Family; 17] = [
        Family::Unary,
        Family::Binary,
        Family::Select,
        Family::Reduce,
        Family::Movement,
        Family::Gather,
        Family::Matmul,
        Family::Update,
        Family::Health,
        Family::Conv,
        Family::Pool,
        Family::Softmax,
        Family::Norm,
        Family::NormBackward,
        Family::Loss,
        Family::LossBackward,
        Family::Clip,
    ];

    /// The file under `shaders/`.
    pub fn file(self) -> &'static str {
        match self {
            Family::Unary => "unary.wgsl",
            Family::Binary => "binary.wgsl",
            Family::Select => "select.wgsl",
            Family::Reduce => "reduce.wgsl",
            Family::Movement => "movement.wgsl",
            Family::Gather => "gather.wgsl",
            Family::Matmul => "matmul.wgsl",
            Family::Update => "update.wgsl",
            Family::Health => "health.wgsl",
            Family::Conv => "conv.wgsl",
            Family::Pool => "pool.wgsl",
            Family::Softmax => "softmax.wgsl",
            Family::Norm => "norm.wgsl",
            Family::NormBackward => "norm_backward.wgsl",
            Family::Loss => "loss.wgsl",
            Family::LossBackward => "loss_backward.wgsl",
            Family::Clip => "clip.wgsl",
        }
    }

    /// The WGSL text, embedded and the same on every target: the shared helpers of
    /// [`COMMON_FILE`] followed by the family's own file.
    pub fn source(self) -> &'static str {
        match self {
            Family::Unary => family_source!("unary.wgsl"),
            Family::Binary => family_source!("binary.wgsl"),
            Family::Select => family_source!("select.wgsl"),
            Family::Reduce => family_source!("reduce.wgsl"),
            Family::Movement => family_source!("movement.wgsl"),
            Family::Gather => family_source!("gather.wgsl"),
            Family::Matmul => family_source!("matmul.wgsl"),
            Family::Update => family_source!("update.wgsl"),
            Family::Health => family_source!("health.wgsl"),
            Family::Conv => family_source!("conv.wgsl"),
            Family::Pool => family_source!("pool.wgsl"),
            Family::Softmax => family_source!("softmax.wgsl"),
            Family::Norm => family_source!("norm.wgsl"),
            Family::NormBackward => family_source!("norm_backward.wgsl"),
            Family::Loss => family_source!("loss.wgsl"),
            Family::LossBackward => family_source!("loss_backward.wgsl"),
            Family::Clip => family_source!("clip.wgsl"),
        }
    }
}

/// The storage bindings of a kernel after its uniform, in binding order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sig {
    /// read, write
    In1Out1,
    /// read, read, write
    In2Out1,
    /// read, read, read, write
    In3Out1,
    /// four reads, write (the fused backwards of layer norm and cross-entropy)
    In4Out1,
    /// read, read, write, write (cross-entropy: the loss and the kept statistics)
    In2Out2,
    /// three reads, write, write (layer norm: the output and the kept statistics)
    In3Out2,
    /// six reads, write (the health check: three parameters and their gradients; the
    /// clipping kernels: six gradients and the sums)
    In6Out1,
    /// read-write, read, read (SGD: param, grad, gradient scale)
    Update0,
    /// read-write, read, read, read-write (momentum: param, grad, gradient scale, buf)
    Update1,
    /// read-write, read, read, read-write, read-write (Adam: param, grad, gradient
    /// scale, m, v)
    Update2,
}

impl Sig {
    /// `true` for each read-only binding.
    pub fn read_only(self) -> &'static [bool] {
        match self {
            Sig::In1Out1 => &[true, false],
            Sig::In2Out1 => &[true, true, false],
            Sig::In3Out1 => &[true, true, true, false],
            Sig::In4Out1 => &[true, true, true, true, false],
            Sig::In2Out2 => &[true, true, false, false],
            Sig::In3Out2 => &[true, true, true, false, false],
            Sig::In6Out1 => &[true, true, true, true, true, true, false],
            Sig::Update0 => &[false, true, true],
            Sig::Update1 => &[false, true, true, false],
            Sig::Update2 => &[false, true, true, false, false],
        }
    }
}

/// One compute entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Kernel {
    /// Its file.
    pub family: Family,
    /// Its entry point, `<family>_<op>`.
    pub entry: &'static str,
    /// Its bindings.
    pub sig: Sig,
}

impl Kernel {
    const fn new(family: Family, entry: &'static str, sig: Sig) -> Kernel {
        Kernel { family, entry, sig }
    }

    /// `unary_<op>`, named by the vocabulary.
    pub fn unary(op: UnaryOp) -> Kernel {
        Kernel::new(Family::Unary, op.wgsl_entry(), Sig::In1Out1)
    }
    /// `binary_<op>`, named by the vocabulary.
    pub fn binary(op: BinaryOp) -> Kernel {
        Kernel::new(Family::Binary, op.wgsl_entry(), Sig::In2Out1)
    }
    /// `binary_<op>_flat`: the same op for a dense `a` and a repeated dense block (or
    /// a constant) as `b`.
    pub fn binary_flat(op: BinaryOp) -> Kernel {
        Kernel::new(Family::Binary, op.wgsl_flat_entry(), Sig::In2Out1)
    }
    /// `reduce_<op>`, named by the vocabulary.
    pub fn reduce(op: ReduceOp) -> Kernel {
        Kernel::new(Family::Reduce, op.wgsl_entry(), Sig::In1Out1)
    }
    /// `reduce_<op>_rows`: one thread per row, the CPU's order.
    pub fn reduce_rows(op: ReduceOp) -> Kernel {
        let entry = match op {
            ReduceOp::Sum => "reduce_sum_rows",
            ReduceOp::Max => "reduce_max_rows",
        };
        Kernel::new(Family::Reduce, entry, Sig::In1Out1)
    }
    /// `where(cond, a, b)`.
    pub const SELECT: Kernel = Kernel::new(Family::Select, "select_where", Sig::In3Out1);
    /// The strided copy.
    pub const COPY_VIEW: Kernel = Kernel::new(Family::Movement, "movement_copy_view", Sig::In1Out1);
    /// Constant fill.
    pub const FILL: Kernel = Kernel::new(Family::Movement, "movement_fill", Sig::In1Out1);
    /// One part of a concatenation.
    pub const CONCAT: Kernel = Kernel::new(Family::Movement, "movement_concat", Sig::In1Out1);
    /// A part padded with zeros (a slice's gradient).
    pub const PAD: Kernel = Kernel::new(Family::Movement, "movement_pad", Sig::In1Out1);
    /// Row gather.
    pub const GATHER_ROWS: Kernel = Kernel::new(Family::Gather, "gather_rows", Sig::In2Out1);
    /// Row scatter-add.
    pub const SCATTER_ADD_ROWS: Kernel =
        Kernel::new(Family::Gather, "gather_scatter_add_rows", Sig::In2Out1);
    /// The reference matmul.
    pub const MATMUL_PLAIN: Kernel = Kernel::new(Family::Matmul, "matmul_plain", Sig::In2Out1);
    /// The tiled matmul.
    pub const MATMUL_TILED: Kernel = Kernel::new(Family::Matmul, "matmul_tiled", Sig::In2Out1);
    /// The register-blocked matmul without workgroup memory (software adapters).
    pub const MATMUL_REGISTER: Kernel = Kernel::new(Family::Matmul, "matmul_reg", Sig::In2Out1);
    /// Plain SGD.
    pub const SGD: Kernel = Kernel::new(Family::Update, "update_sgd", Sig::Update0);
    /// SGD with momentum (and Nesterov).
    pub const SGD_MOMENTUM: Kernel =
        Kernel::new(Family::Update, "update_sgd_momentum", Sig::Update1);
    /// Adam and AdamW.
    pub const ADAM: Kernel = Kernel::new(Family::Update, "update_adam", Sig::Update2);
    /// The non-finite check of up to three parameters and their gradients (training
    /// health).
    pub const HEALTH: Kernel = Kernel::new(Family::Health, "health_check_finite", Sig::In6Out1);
    /// im2col.
    pub const UNFOLD2D: Kernel = Kernel::new(Family::Conv, "conv_unfold", Sig::In1Out1);
    /// col2im.
    pub const FOLD2D: Kernel = Kernel::new(Family::Conv, "conv_fold", Sig::In1Out1);
    /// Max pooling (values taken at the maxima of another input).
    pub const MAX_POOL2D: Kernel = Kernel::new(Family::Pool, "pool_max", Sig::In2Out1);
    /// The adjoint of max pooling.
    pub const MAX_POOL2D_BACKWARD: Kernel =
        Kernel::new(Family::Pool, "pool_max_backward", Sig::In2Out1);
    /// The adjoint of max pooling for windows that do not overlap: one thread per window.
    pub const MAX_POOL2D_BACKWARD_CELLS: Kernel =
        Kernel::new(Family::Pool, "pool_max_backward_cells", Sig::In2Out1);
    /// Average pooling (its second binding is a placeholder).
    pub const AVG_POOL2D: Kernel = Kernel::new(Family::Pool, "pool_avg", Sig::In2Out1);
    /// The adjoint of average pooling (its second binding is a placeholder).
    pub const AVG_POOL2D_BACKWARD: Kernel =
        Kernel::new(Family::Pool, "pool_avg_backward", Sig::In2Out1);

    /// The masked softmax over attention scores.
    pub const SOFTMAX_MASKED: Kernel = Kernel::new(Family::Softmax, "softmax_masked", Sig::In2Out1);
    /// The fused softmax backward.
    pub const SOFTMAX_BACKWARD: Kernel =
        Kernel::new(Family::Softmax, "softmax_backward", Sig::In2Out1);
    /// Layer norm (output and statistics).
    pub const LAYER_NORM: Kernel = Kernel::new(Family::Norm, "norm_layer", Sig::In3Out2);
    /// The fused layer-norm backward for `x`.
    pub const LAYER_NORM_BACKWARD: Kernel =
        Kernel::new(Family::NormBackward, "norm_layer_backward", Sig::In4Out1);
    /// Cross-entropy over a vocabulary (loss and statistics, one workgroup).
    pub const CROSS_ENTROPY: Kernel = Kernel::new(Family::Loss, "loss_cross_entropy", Sig::In2Out2);
    /// Sums of squares of up to six gradients (clipping by global norm).
    pub const CLIP_SUM_SQUARES: Kernel =
        Kernel::new(Family::Clip, "clip_sum_squares", Sig::In6Out1);
    /// The clipping coefficient from those sums.
    pub const CLIP_COEFFICIENT: Kernel =
        Kernel::new(Family::Clip, "clip_coefficient", Sig::In6Out1);
    /// The fused cross-entropy backward.
    pub const CROSS_ENTROPY_BACKWARD: Kernel = Kernel::new(
        Family::LossBackward,
        "loss_cross_entropy_backward",
        Sig::In4Out1,
    );

    /// Every kernel the backend can launch (for validation tests and warm-up).
    pub fn all() -> Vec<Kernel> {
        let mut v: Vec<Kernel> = UnaryOp::ALL.iter().map(|&o| Kernel::unary(o)).collect();
        v.extend(BinaryOp::ALL.iter().map(|&o| Kernel::binary(o)));
        v.extend(BinaryOp::ALL.iter().map(|&o| Kernel::binary_flat(o)));
        v.extend(ReduceOp::ALL.iter().map(|&o| Kernel::reduce(o)));
        v.extend(ReduceOp::ALL.iter().map(|&o| Kernel::reduce_rows(o)));
        v.extend([
            Kernel::SELECT,
            Kernel::COPY_VIEW,
            Kernel::FILL,
            Kernel::CONCAT,
            Kernel::PAD,
            Kernel::GATHER_ROWS,
            Kernel::SCATTER_ADD_ROWS,
            Kernel::MATMUL_PLAIN,
            Kernel::MATMUL_TILED,
            Kernel::MATMUL_REGISTER,
            Kernel::SGD,
            Kernel::SGD_MOMENTUM,
            Kernel::ADAM,
            Kernel::HEALTH,
            Kernel::UNFOLD2D,
            Kernel::FOLD2D,
            Kernel::MAX_POOL2D,
            Kernel::MAX_POOL2D_BACKWARD,
            Kernel::MAX_POOL2D_BACKWARD_CELLS,
            Kernel::AVG_POOL2D,
            Kernel::AVG_POOL2D_BACKWARD,
            Kernel::SOFTMAX_MASKED,
            Kernel::SOFTMAX_BACKWARD,
            Kernel::LAYER_NORM,
            Kernel::LAYER_NORM_BACKWARD,
            Kernel::CROSS_ENTROPY,
            Kernel::CROSS_ENTROPY_BACKWARD,
            Kernel::CLIP_SUM_SQUARES,
            Kernel::CLIP_COEFFICIENT,
        ]);
        v
    }
}

/// Most storage buffers of one kernel (the health check's seven).
const MAX_STORAGE_BINDINGS: usize = 7;

type BindKey = (Sig, u64, [u64; MAX_STORAGE_BINDINGS]);

/// The caches. Handles are cheap clones of wgpu's reference-counted objects.
#[derive(Debug)]
pub struct Pipelines {
    modules: HashMap<Family, wgpu::ShaderModule>,
    layouts: HashMap<Sig, (wgpu::BindGroupLayout, wgpu::PipelineLayout)>,
    pipelines: HashMap<&'static str, wgpu::ComputePipeline>,
    bind_groups: HashMap<BindKey, wgpu::BindGroup>,
    counters: Rc<Counters>,
}

impl Pipelines {
    /// Empty caches counting creations in `counters`.
    pub fn new(counters: Rc<Counters>) -> Pipelines {
        Pipelines {
            modules: HashMap::new(),
            layouts: HashMap::new(),
            pipelines: HashMap::new(),
            bind_groups: HashMap::new(),
            counters,
        }
    }

    fn layout(
        &mut self,
        device: &wgpu::Device,
        sig: Sig,
    ) -> &(wgpu::BindGroupLayout, wgpu::PipelineLayout) {
        self.layouts.entry(sig).or_insert_with(|| {
            let mut entries = vec![wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: NonZeroU64::new(PARAMS_BYTES),
                },
                count: None,
            }];
            for (i, &read_only) in sig.read_only().iter().enumerate() {
                entries.push(wgpu::BindGroupLayoutEntry {
                    binding: i as u32 + 1,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                });
            }
            let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some("gradlab kernel bindings"),
                entries: &entries,
            });
            let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("gradlab kernel layout"),
                bind_group_layouts: &[Some(&bgl)],
                immediate_size: 0,
            });
            (bgl, pl)
        })
    }

    /// The pipeline of `k`, compiled on first use.
    pub fn pipeline(&mut self, device: &wgpu::Device, k: Kernel) -> wgpu::ComputePipeline {
        if let Some(p) = self.pipelines.get(k.entry) {
            return p.clone();
        }
        let module = self
            .modules
            .entry(k.family)
            .or_insert_with(|| {
                device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(k.family.file()),
                    source: wgpu::ShaderSource::Wgsl(k.family.source().into()),
                })
            })
            .clone();
        let layout = self.layout(device, k.sig).1.clone();
        let p = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(k.entry),
            layout: Some(&layout),
            module: &module,
            entry_point: Some(k.entry),
            // Every kernel writes workgroup memory before reading it.
            compilation_options: wgpu::PipelineCompilationOptions {
                zero_initialize_workgroup_memory: false,
                ..Default::default()
            },
            cache: None,
        });
        self.counters.pipeline_created();
        self.pipelines.insert(k.entry, p.clone());
        p
    }

    /// The bind group of `uniforms` (bound at a dynamic offset) and `buffers`, cached by
    /// buffer ids.
    pub fn bind_group(
        &mut self,
        device: &wgpu::Device,
        sig: Sig,
        uniforms: (u64, &wgpu::Buffer),
        buffers: &[&PooledBuffer],
    ) -> wgpu::BindGroup {
        debug_assert!(buffers.len() <= MAX_STORAGE_BINDINGS);
        let mut ids = [0u64; MAX_STORAGE_BINDINGS];
        for (slot, b) in ids.iter_mut().zip(buffers) {
            *slot = b.id;
        }
        let key = (sig, uniforms.0, ids);
        if let Some(bg) = self.bind_groups.get(&key) {
            return bg.clone();
        }
        if self.bind_groups.len() >= BIND_GROUP_CACHE {
            self.bind_groups.clear();
        }
        let layout = self.layout(device, sig).0.clone();
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: uniforms.1,
                offset: 0,
                size: NonZeroU64::new(PARAMS_BYTES),
            }),
        }];
        for (i, b) in buffers.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: i as u32 + 1,
                resource: b.buffer.as_entire_binding(),
            });
        }
        let bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &layout,
            entries: &entries,
        });
        self.counters.bind_group_created();
        self.bind_groups.insert(key, bg.clone());
        bg
    }
}
