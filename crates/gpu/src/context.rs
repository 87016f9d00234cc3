//! The wgpu context, made once: device and queue, the compiled pipelines, and a recorder that
//! gathers dispatches into one compute pass until something must leave the GPU.
//!
//! Each dispatch gets its own 64-byte slot of a uniform "arena" for its parameters (written once
//! per submission), and a bind group of the buffers it reads and writes, in binding order after
//! the parameters (binding 0). WebGPU orders the dispatches of a pass, so one op sees the
//! writes of the one before it without barriers of ours.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::Emulator;
use crate::kernels::{Checks, Kernel};

/// Bytes between two parameter slots: WebGPU's largest allowed uniform offset alignment.
const SLOT: u64 = 256;
/// Bytes of parameters one dispatch may have: sixteen 32-bit words.
pub const PARAM_WORDS: usize = 16;
/// Dispatches recorded before they are submitted anyway.
const MAX_PENDING: usize = 1024;
/// Threads per workgroup of the one-dimensional kernels (every WGSL file uses it).
pub const GROUP: u32 = 256;
/// Read-back buffers kept for reuse, at most.
const MAX_POOLED: usize = 64;
/// Workgroups along one dimension of a dispatch (WebGPU's guaranteed limit).
const MAX_GROUPS: u32 = 65_535;

/// Why no GPU backend could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuError {
    /// No adapter: no WebGPU in this browser, or no Vulkan driver natively.
    NoAdapter(String),
    /// The adapter refused the device (a limit or feature it does not have).
    NoDevice(String),
    /// These WGSL files are neither embedded nor supplied ([`crate::shaders`]).
    NoKernels(Vec<String>),
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuError::NoAdapter(why) => write!(f, "no GPU adapter was found ({why})"),
            GpuError::NoDevice(why) => write!(f, "the GPU adapter refused a device ({why})"),
            GpuError::NoKernels(files) => {
                write!(f, "the GPU kernels {} are not at hand (a host fetches them first)", files.join(", "))
            }
        }
    }
}

impl std::error::Error for GpuError {}

/// A buffer of f32 on the GPU.
#[derive(Debug)]
pub struct GpuBuf {
    pub(crate) buffer: wgpu::Buffer,
    pub(crate) len: usize,
}

/// One recorded dispatch.
struct Job {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    size: [u32; 3],
}

/// The device, its pipelines and the work not yet submitted.
pub struct Context {
    pub(crate) device: wgpu::Device,
    queue: wgpu::Queue,
    pub(crate) adapter: String,
    /// A CPU implementation of the API rather than a GPU, and which.
    pub(crate) emulator: Option<Emulator>,
    /// The runtime checks of kernels that name none (see [`Checks`]).
    pub(crate) checks: Checks,
    modules: HashMap<(&'static str, Checks), wgpu::ShaderModule>,
    pipelines: HashMap<Kernel, (wgpu::ComputePipeline, wgpu::BindGroupLayout)>,
    arena: wgpu::Buffer,
    params: Vec<u8>,
    jobs: Vec<Job>,
    /// Mappable buffers of the asynchronous read-backs, free for the next ones (sizes are powers
    /// of two), so a run that reads its state back every tick makes no new buffers.
    read_pool: Arc<Mutex<Vec<wgpu::Buffer>>>,
    /// The first sign that the device stopped working: lost, or an error it reported.
    fault: Arc<Mutex<Option<String>>>,
}

/// Keeps the first fault of a device.
fn note(fault: &Mutex<Option<String>>, why: String) {
    let mut slot = fault.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    slot.get_or_insert(why);
}

impl Context {
    /// Finds an adapter and opens a device on it: WebGPU in a browser, Vulkan natively.
    pub async fn new() -> Result<Context, GpuError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        // Everything the adapter has: the largest buffers it can bind are the largest layers it trains.
        let required_limits = adapter.limits();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor { label: Some("layerlab"), required_limits, ..Default::default() })
            .await
            .map_err(|e| GpuError::NoDevice(e.to_string()))?;
        let fault = Arc::new(Mutex::new(None));
        // Errors and a lost device are recorded, not panicked on: the trainer asks after each
        // step and carries the run to the CPU.
        let on_error = Arc::clone(&fault);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| note(&on_error, format!("the GPU reported: {e}"))));
        let on_lost = Arc::clone(&fault);
        device.set_device_lost_callback(move |reason, message| {
            note(
                &on_lost,
                format!("the GPU device was lost ({reason:?}{}{message})", if message.is_empty() { "" } else { ": " }),
            )
        });
        let arena = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("parameters"),
            size: SLOT * MAX_PENDING as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(Context {
            device,
            queue,
            // A browser may keep the adapter's name to itself.
            adapter: if info.name.is_empty() {
                format!("{:?} adapter ({:?})", info.device_type, info.backend)
            } else {
                format!("{} ({:?})", info.name, info.backend)
            },
            emulator: Emulator::of(info.device_type, &info.name),
            checks: Checks::Bounds,
            modules: HashMap::new(),
            pipelines: HashMap::new(),
            arena,
            params: Vec::with_capacity(SLOT as usize * MAX_PENDING),
            jobs: Vec::with_capacity(MAX_PENDING),
            // Shared with the read-back futures: threads natively, one thread in a browser
            // (where wgpu's buffers are not Send).
            #[allow(clippy::arc_with_non_send_sync)]
            read_pool: Arc::new(Mutex::new(Vec::new())),
            fault,
        })
    }

    pub fn alloc(&mut self, len: usize) -> GpuBuf {
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            // WebGPU binds no empty buffers.
            size: (len.max(1) * 4) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        GpuBuf { buffer, len }
    }

    /// Writes `data` at the start of `buf`, after every op recorded so far has run.
    pub fn upload(&mut self, buf: &GpuBuf, data: &[f32]) {
        assert!(data.len() <= buf.len, "uploading {} numbers into a buffer of {}", data.len(), buf.len);
        self.flush();
        if !data.is_empty() {
            self.queue.write_buffer(&buf.buffer, 0, bytemuck::cast_slice(data));
        }
    }

    /// Records one dispatch of `kernel` over `size` workgroups.
    pub fn dispatch(&mut self, kernel: Kernel, params: &[u32], buffers: &[&GpuBuf], size: [u32; 3]) {
        assert!(params.len() <= PARAM_WORDS, "{} takes at most {PARAM_WORDS} parameter words", kernel.entry);
        if size.contains(&0) {
            return;
        }
        if self.jobs.len() == MAX_PENDING {
            self.flush();
        }
        let offset = self.params.len() as u64;
        self.params.extend_from_slice(bytemuck::cast_slice(params));
        self.params.resize(offset as usize + SLOT as usize, 0);
        let (pipeline, layout) = self.pipeline(kernel);
        let param_binding =
            wgpu::BufferBinding { buffer: &self.arena, offset, size: wgpu::BufferSize::new((PARAM_WORDS * 4) as u64) };
        let mut entries =
            vec![wgpu::BindGroupEntry { binding: 0, resource: wgpu::BindingResource::Buffer(param_binding) }];
        entries.extend(
            buffers
                .iter()
                .enumerate()
                .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32 + 1, resource: b.buffer.as_entire_binding() }),
        );
        let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(kernel.entry),
            layout: &layout,
            entries: &entries,
        });
        self.jobs.push(Job { pipeline, group, size });
    }

    fn pipeline(&mut self, kernel: Kernel) -> (wgpu::ComputePipeline, wgpu::BindGroupLayout) {
        let checks = kernel.checks.unwrap_or(self.checks);
        let kernel = Kernel { checks: Some(checks), ..kernel };
        if let Some(found) = self.pipelines.get(&kernel) {
            return found.clone();
        }
        let device = &self.device;
        let module = self.modules.entry((kernel.file, checks)).or_insert_with(|| {
            let descriptor = wgpu::ShaderModuleDescriptor {
                label: Some(kernel.file),
                source: wgpu::ShaderSource::Wgsl(kernel.source().into()),
            };
            match checks {
                Checks::All => device.create_shader_module(descriptor),
                Checks::Bounds => module_with(device, descriptor, false),
                Checks::Nothing => module_with(device, descriptor, true),
            }
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel.entry),
            layout: None,
            module,
            entry_point: Some(kernel.entry),
            compilation_options: Default::default(),
            cache: None,
        });
        let layout = pipeline.get_bind_group_layout(0);
        self.pipelines.insert(kernel, (pipeline.clone(), layout.clone()));
        (pipeline, layout)
    }

    /// Submits everything recorded, in one compute pass.
    pub fn flush(&mut self) {
        if self.jobs.is_empty() {
            return;
        }
        self.queue.write_buffer(&self.arena, 0, &self.params);
        let mut encoder = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        {
            let mut pass =
                encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes: None });
            for job in &self.jobs {
                pass.set_pipeline(&job.pipeline);
                pass.set_bind_group(0, &job.group, &[]);
                pass.dispatch_workgroups(job.size[0], job.size[1], job.size[2]);
            }
        }
        self.queue.submit([encoder.finish()]);
        self.jobs.clear();
        self.params.clear();
    }

    /// Copies the first `out.len()` numbers of `buf` back, waiting for the GPU (natively only:
    /// a browser cannot block, and reads back through [`Context::read_async`]). Once the device
    /// has failed, or where nothing may wait, `out` is zeros and [`Context::fault`] says why.
    pub fn download(&mut self, buf: &GpuBuf, out: &mut [f32]) {
        assert!(out.len() <= buf.len, "downloading {} numbers from a buffer of {}", out.len(), buf.len);
        out.fill(0.0);
        if out.is_empty() || self.fault().is_some() {
            return;
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Ok(values) = pollster::block_on(self.read_async(buf, out.len())) {
            out.copy_from_slice(&values);
        }
        #[cfg(target_arch = "wasm32")]
        note(&self.fault, "a browser cannot wait for the GPU: read back with read_async".to_string());
    }

    /// Copies the first `len` numbers of `buf` back without blocking: the future resolves once
    /// the GPU has done everything recorded before (in a browser, on a later turn of the event
    /// loop; natively, at once). It holds no borrow of the context, so recording may go on.
    pub fn read_async(&mut self, buf: &GpuBuf, len: usize) -> impl Future<Output = Result<Vec<f32>, String>> + use<> {
        assert!(len <= buf.len, "reading {len} numbers from a buffer of {}", buf.len);
        self.flush();
        let bytes = (len.max(1) * 4) as u64;
        let size = bytes.next_power_of_two().max(256);
        let pooled = {
            let mut pool = self.read_pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            pool.iter().position(|b| b.size() == size).map(|i| pool.swap_remove(i))
        };
        let staging = pooled.unwrap_or_else(|| {
            self.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("read-back"),
                size,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        });
        let mut encoder = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        encoder.copy_buffer_to_buffer(&buf.buffer, 0, &staging, 0, bytes);
        self.queue.submit([encoder.finish()]);
        let (sender, receiver) = futures_channel::oneshot::channel();
        staging.slice(..bytes).map_async(wgpu::MapMode::Read, move |r| {
            let _ = sender.send(r);
        });
        let pool = Arc::clone(&self.read_pool);
        #[cfg(not(target_arch = "wasm32"))]
        if let Err(e) = self.device.poll(wgpu::PollType::wait_indefinitely()) {
            note(&self.fault, format!("waiting for the GPU failed: {e}"));
        }
        let fault = Arc::clone(&self.fault);
        async move {
            let failed = |why: String| {
                note(&fault, why.clone());
                Err(why)
            };
            match receiver.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return failed(format!("reading back from the GPU failed: {e}")),
                Err(_) => return failed("the GPU device went away during a read-back".to_string()),
            }
            let values = match staging.slice(..bytes).get_mapped_range() {
                Ok(view) => bytemuck::cast_slice::<u8, f32>(&view)[..len].to_vec(),
                Err(e) => return failed(format!("reading back from the GPU failed: {e}")),
            };
            staging.unmap();
            let mut pool = pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if pool.len() < MAX_POOLED {
                pool.push(staging);
            }
            Ok(values)
        }
    }

    /// Why the device stopped working, once it has.
    pub fn fault(&self) -> Option<String> {
        self.fault.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Destroys the device, as a driver reset or an unplugged GPU would (for the tests of the
    /// fallback to the CPU).
    pub fn destroy(&self) {
        self.device.destroy();
    }
}

/// A shader module without naga's loop bounding, and without its index clamping if
/// `unbounded`: the crate's one `unsafe`.
#[allow(unsafe_code)]
fn module_with(
    device: &wgpu::Device,
    descriptor: wgpu::ShaderModuleDescriptor<'_>,
    unbounded: bool,
) -> wgpu::ShaderModule {
    let checks = wgpu::ShaderRuntimeChecks { bounds_checks: !unbounded, ..wgpu::ShaderRuntimeChecks::unchecked() };
    // SAFETY: every loop of every kernel ends (its bounds are the dispatch's sizes), and only
    // kernels whose every index is in range by construction go without index clamping
    // (kernels.rs, `Checks::Nothing`); Vulkan's robust buffer access, which wgpu enables where
    // the driver has it, still bounds the buffers.
    unsafe { device.create_shader_module_trusted(descriptor, checks) }
}

/// Workgroups for one thread per element of `n`, folded into two dimensions past 65,535 groups
/// (the kernels rebuild the index from `num_workgroups`).
pub fn groups_1d(n: usize) -> [u32; 3] {
    let groups = n.div_ceil(GROUP as usize) as u32;
    if groups <= MAX_GROUPS { [groups, 1, 1] } else { [MAX_GROUPS, groups.div_ceil(MAX_GROUPS), 1] }
}
