//! Tensors: f32, rank 0 to 4, row-major, on a [`Device`], with autograd.
//!
//! A `Tensor` is a cheap handle (`Rc`) to immutable device storage, a layout (a [`View`]:
//! offset and per-axis strides into that storage) and, when it was computed from tensors
//! that require gradients, the op that made it. Nothing assumes the data sits in CPU
//! memory: values come back through the `async` [`Tensor::to_vec`].
//!
//! Permute, expand, slice (and reshape of a dense tensor) only change the layout: they
//! share their input's storage. Elementwise ops read through layouts; every other
//! consumer gets row-major data from [`Tensor::storage`], the one place that copies a
//! strided tensor (once, remembered).

mod conv;
mod fused;
mod grad_mode;
mod movement;
mod ops;
mod shape;

// The op vocabulary lives in the leaf `op` module; re-exported because it is part of
// the tensor API (`Node::op`) and what the op test suites loop over.
pub use crate::op::{conv_out_size, Window2d};
pub use crate::op::{BinaryOp, Op, OpKind, ReduceOp, UnaryOp};
pub use grad_mode::{is_grad_enabled, no_grad};
pub use shape::Shape;

use crate::backend::{Device, Storage};
use crate::error::Result;
use crate::op::View;
use std::cell::{Cell, OnceCell};
use std::rc::Rc;

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

fn next_id() -> u64 {
    NEXT_ID.with(|c| {
        let id = c.get();
        c.set(id + 1);
        id
    })
}

/// The op that produced a tensor, and its inputs: one node of the autograd graph.
#[derive(Clone, Debug)]
pub struct Node {
    /// The primitive op.
    pub op: Op,
    /// Its inputs, in order.
    pub inputs: Vec<Tensor>,
}

impl Drop for Node {
    /// Unlink the graph with an explicit stack: the derived, recursive drop of a deep
    /// chain (tens of thousands of ops) would overflow the thread's stack.
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.inputs);
        while let Some(t) = pending.pop() {
            // Only the last handle of a tensor owns its node; take that node's inputs
            // here, so the tensor then drops a node with no inputs (no recursion).
            if let Ok(mut inner) = Rc::try_unwrap(t.0) {
                if let Some(node) = inner.node.as_mut() {
                    pending.append(&mut node.inputs);
                }
            }
        }
    }
}

#[derive(Debug)]
struct Inner {
    id: u64,
    shape: Shape,
    /// The elements, read through `layout`; shared with the tensors this is a view of.
    storage: Storage,
    /// Where element `i` of `shape` sits in `storage` (padded to four axes, stride 0 on
    /// size-1 and missing axes).
    layout: View,
    /// The row-major copy of a strided tensor, made on first need (see `storage()`).
    contiguous: OnceCell<Storage>,
    device: Device,
    node: Option<Node>,
    requires_grad: bool,
}

/// An f32 tensor handle. Cloning is cheap and shares the data.
#[derive(Clone, Debug)]
pub struct Tensor(Rc<Inner>);

impl Tensor {
    /// A tensor from existing device storage (no graph).
    /// `storage` holds the `shape.numel()` elements in row-major order.
    pub fn from_storage(storage: Storage, shape: Shape, device: &Device) -> Tensor {
        Tensor::from_op(storage, shape, device, None)
    }

    /// A tensor computed by `node` (used by the ops, which decide whether to record),
    /// its elements row-major in a fresh storage.
    pub(crate) fn from_op(
        storage: Storage,
        shape: Shape,
        device: &Device,
        node: Option<Node>,
    ) -> Tensor {
        let layout = shape.contiguous_view();
        Tensor::from_view(storage, layout, shape, device, node)
    }

    /// A tensor that reads `storage` through `layout` (a view of another tensor's data).
    pub(crate) fn from_view(
        storage: Storage,
        layout: View,
        shape: Shape,
        device: &Device,
        node: Option<Node>,
    ) -> Tensor {
        let requires_grad = node.is_some();
        Tensor(Rc::new(Inner {
            id: next_id(),
            shape,
            storage,
            layout,
            contiguous: OnceCell::new(),
            device: device.clone(),
            node,
            requires_grad,
        }))
    }

    /// A new handle on the same data and layout (no graph), with `requires_grad`.
    fn same_data(&self, requires_grad: bool) -> Tensor {
        Tensor(Rc::new(Inner {
            id: next_id(),
            shape: self.0.shape.clone(),
            storage: self.0.storage.clone(),
            layout: self.0.layout,
            contiguous: self.0.contiguous.clone(),
            device: self.0.device.clone(),
            node: None,
            requires_grad,
        }))
    }

    /// Upload `data` (row-major) with `shape`. Panics if the lengths disagree.
    pub fn from_slice(data: &[f32], shape: &[usize], device: &Device) -> Tensor {
        let shape = Shape::new(shape);
        assert_eq!(
            data.len(),
            shape.numel(),
            "{} values cannot fill shape {shape}",
            data.len()
        );
        Tensor::from_storage(device.upload(data), shape, device)
    }

    /// A tensor of `value` everywhere.
    pub fn full(value: f32, shape: &[usize], device: &Device) -> Tensor {
        let shape = Shape::new(shape);
        Tensor::from_storage(device.fill(shape.numel(), value), shape, device)
    }

    /// Zeros.
    pub fn zeros(shape: &[usize], device: &Device) -> Tensor {
        Tensor::full(0.0, shape, device)
    }

    /// Ones.
    pub fn ones(shape: &[usize], device: &Device) -> Tensor {
        Tensor::full(1.0, shape, device)
    }

    /// A rank-0 tensor.
    pub fn scalar(value: f32, device: &Device) -> Tensor {
        Tensor::full(value, &[], device)
    }

    /// A trainable leaf: gradients are computed for it.
    pub fn parameter(data: &[f32], shape: &[usize], device: &Device) -> Tensor {
        Tensor::from_slice(data, shape, device).requiring_grad()
    }

    /// The same data as a leaf that requires gradients.
    pub fn requiring_grad(&self) -> Tensor {
        self.same_data(true)
    }

    /// The row-major storage, moved out when this is its only handle (so it can be
    /// updated in place), else shared.
    pub(crate) fn into_storage(self) -> Storage {
        if !self.is_contiguous() {
            return self.storage().clone();
        }
        match Rc::try_unwrap(self.0) {
            Ok(inner) => inner.storage,
            Err(rc) => rc.storage.clone(),
        }
    }

    /// The same data, cut from the graph (no gradient flows through it).
    pub fn detach(&self) -> Tensor {
        self.same_data(false)
    }

    /// Unique id (used as the key of gradient stores).
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// The shape.
    pub fn shape(&self) -> &Shape {
        &self.0.shape
    }

    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        self.0.shape.dims()
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.0.shape.rank()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.0.shape.numel()
    }

    /// The device holding the data.
    pub fn device(&self) -> &Device {
        &self.0.device
    }

    /// The elements in row-major order from index 0, exactly `numel()` of them: what
    /// every kernel that reads contiguous data takes. A strided view (permute, expand,
    /// slice) is copied here, once; the copy is kept for the tensor's lifetime.
    pub fn storage(&self) -> &Storage {
        if self.is_contiguous() {
            return &self.0.storage;
        }
        self.0.contiguous.get_or_init(|| {
            self.0
                .device
                .copy_view(&self.0.storage, self.0.layout, self.0.shape.padded())
        })
    }

    /// True when the elements sit in their storage row-major from index 0 with nothing
    /// else in it, so [`Tensor::storage`] needs no copy.
    pub fn is_contiguous(&self) -> bool {
        let (shape, layout) = (&self.0.shape, &self.0.layout);
        layout.offset == 0 && shape.is_dense(layout) && self.0.storage.len() == shape.numel()
    }

    /// How this tensor reads its storage: offset and stride per padded axis.
    pub fn layout(&self) -> View {
        self.0.layout
    }

    /// The storage and layout as an elementwise kernel reads them, broadcast to `out`
    /// (no copy). A layout has stride 0 on size-1 and missing leading axes, so it is
    /// its own broadcast view to any shape it broadcasts to.
    pub(crate) fn strided(&self, out: &Shape) -> (&Storage, View) {
        debug_assert!(Shape::broadcast(self.shape(), out).as_ref() == Some(out));
        (&self.0.storage, self.0.layout)
    }

    /// The storage and layout for ops that make views of this tensor.
    pub(crate) fn raw_parts(&self) -> (&Storage, View) {
        (&self.0.storage, self.0.layout)
    }

    /// The op that made this tensor, when it was recorded.
    pub fn node(&self) -> Option<&Node> {
        self.0.node.as_ref()
    }

    /// Whether gradients flow to or through this tensor.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad
    }

    /// Copy the values to the host once the device has computed them.
    pub async fn to_vec(&self) -> Result<Vec<f32>> {
        // A read submits the pending work together with its copy: no separate flush.
        self.0.device.read(self.storage(), self.numel()).await
    }

    /// Read several tensors of one device back together: on the GPU one staging buffer
    /// and one mapping for all of them, so a refresh costs a single round trip.
    pub async fn read_all(tensors: &[&Tensor]) -> Result<Vec<Vec<f32>>> {
        let Some(first) = tensors.first() else {
            return Ok(Vec::new());
        };
        let device = first.device();
        if let Some(t) = tensors.iter().find(|t| t.device() != device) {
            return Err(crate::error::Error::Format(format!(
                "read_all: tensors on {} and {}",
                device.label(),
                t.device().label()
            )));
        }
        let parts: Vec<(&Storage, usize)> =
            tensors.iter().map(|t| (t.storage(), t.numel())).collect();
        device.read_many(&parts).await
    }

    /// The values, when they can be had without waiting (CPU backend); `None` otherwise.
    pub fn to_vec_now(&self) -> Option<Vec<f32>> {
        self.0.device.read_now(self.storage(), self.numel())
    }

    /// The single value of a one-element tensor, read asynchronously.
    pub async fn to_scalar(&self) -> Result<f32> {
        let v = self.to_vec().await?;
        v.first().copied().ok_or_else(|| {
            crate::error::Error::Format(format!("tensor of shape {} has no element", self.shape()))
        })
    }

    /// A copy on `device` (the values pass through host memory).
    pub async fn to_device(&self, device: &Device) -> Result<Tensor> {
        if self.device() == device {
            return Ok(self.clone());
        }
        let v = self.to_vec().await?;
        Ok(Tensor::from_slice(&v, self.dims(), device))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Tensor {
    /// Native only: read the values, blocking this thread until the device is done.
    pub fn to_vec_blocking(&self) -> Result<Vec<f32>> {
        crate::platform::block_on(self.to_vec())
    }
}
