//! Every map of the programs. Names match `agent_common::maps`.
use agent_common::{Config, ConnKey, ConnState, SslKey, LOSS_REASONS, RECORD_MAX};
use aya_ebpf::{
    macros::map,
    maps::{Array, HashMap, LruHashMap, PerCpuArray, RingBuf},
};

/// 4 MiB: no drops at ~300 MB/s with batched wakeups (notes/performance-anchors.md).
pub const RINGBUF_BYTES: u32 = 4 << 20;

#[map(name = "EVENTS")]
pub static EVENTS: RingBuf = RingBuf::with_byte_size(RINGBUF_BYTES, 0);

/// Selected cgroup v2 ids (filled by the agent).
#[map(name = "CGROUPS")]
pub static CGROUPS: HashMap<u64, u8> = HashMap::with_max_entries(16384, 0);

/// Selected process ids (tgid), for standalone `--pid` selection.
#[map(name = "PIDS")]
pub static PIDS: HashMap<u32, u8> = HashMap::with_max_entries(16384, 0);

/// Tracked sockets. LRU: a process that exits without close(2) leaves entries behind.
#[map(name = "CONNS")]
pub static CONNS: LruHashMap<ConnKey, ConnState> = LruHashMap::with_max_entries(65536, 0);

#[map(name = "CONFIG")]
pub static CONFIG: Array<Config> = Array::with_max_entries(1, 0);

/// Per-CPU loss counters indexed by `LossReason`.
#[map(name = "LOSS")]
pub static LOSS: PerCpuArray<u64> = PerCpuArray::with_max_entries(LOSS_REASONS, 0);

/// Syscall arguments saved at sys_enter, read at sys_exit, keyed by pid_tgid.
#[map(name = "ARGS")]
pub static ARGS: HashMap<u64, SavedArgs> = HashMap::with_max_entries(16384, 0);

/// A record is built here: the BPF stack is 512 bytes.
#[map(name = "SCRATCH")]
pub static SCRATCH: PerCpuArray<[u8; RECORD_MAX]> = PerCpuArray::with_max_entries(1, 0);

/// Per-CPU counter for connection ids.
#[map(name = "NEXT_ID")]
pub static NEXT_ID: PerCpuArray<u64> = PerCpuArray::with_max_entries(1, 0);

#[repr(C)]
#[derive(Clone, Copy)]
pub struct SavedArgs {
    /// Buffer, iovec array, or sockaddr pointer, by `kind`.
    pub ptr: u64,
    /// iovec count for `ArgKind::Iovec`.
    pub count: u64,
    pub fd: u32,
    pub kind: u32,
}

pub mod arg_kind {
    pub const BUF: u32 = 0;
    pub const IOVEC: u32 = 1;
    pub const ACCEPT: u32 = 2;
    pub const CONNECT: u32 = 3;
}

/// Arguments of an SSL_read/SSL_write call in progress, keyed by pid_tgid; the syscalls made
/// inside it fill in `fd`.
#[map(name = "TLS_ARGS")]
pub static TLS_ARGS: HashMap<u64, TlsArgs> = HashMap::with_max_entries(16384, 0);

/// SSL object → socket fd, learnt from the syscalls inside SSL_* calls.
#[map(name = "SSL_FDS")]
pub static SSL_FDS: LruHashMap<SslKey, u32> = LruHashMap::with_max_entries(65536, 0);

pub const FD_UNKNOWN: u32 = u32::MAX;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct TlsArgs {
    pub ssl: u64,
    pub buf: u64,
    /// `size_t *readbytes` / `*written` of the _ex variants, 0 otherwise.
    pub out_len: u64,
    pub fd: u32,
    pub direction: u32,
}
