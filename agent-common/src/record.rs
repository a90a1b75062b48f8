//! The wire format of the ring buffer: a fixed [`RecordHeader`] followed by `len` payload bytes.

/// Payload bytes carried by one record. A larger syscall is split into several records.
pub const MAX_PAYLOAD: usize = 4096;
/// Records emitted for one syscall at most (bounded loop for the verifier): 8 x 4 KiB = 32 KiB.
/// Bytes past that are not copied; the offset still advances, so aggregation sees a gap.
pub const MAX_CHUNKS_PER_CALL: usize = 8;
/// iovec entries walked per readv/writev call (bounded loop).
pub const MAX_IOVECS: usize = 8;
/// Bytes of a peer socket address copied into an Open record (sizeof sockaddr_in6).
pub const SOCKADDR_LEN: usize = 28;
/// Size of the per-CPU scratch buffer a record is built in.
pub const RECORD_MAX: usize = core::mem::size_of::<RecordHeader>() + MAX_PAYLOAD;

/// Ids assigned by the agent to connections found already open at start (the kernel assigns ids
/// from per-CPU counters with the CPU number in the top byte, which never reaches this bit).
pub const USER_CONN_ID_BIT: u64 = 1 << 63;

#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// Payload bytes read from or written to a tracked socket.
    Data = 1,
    /// A socket became tracked (accept/connect); payload: the peer's raw sockaddr.
    Open = 2,
    /// A tracked socket was closed.
    Close = 3,
    /// The connection turned out to carry TLS: from here on its streams are the plaintext seen
    /// through SSL_read/SSL_write, with offsets restarting at 0 (the ciphertext before, e.g. the
    /// handshake, is to be discarded).
    TlsStart = 4,
}

impl RecordKind {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Self::Data),
            2 => Some(Self::Open),
            3 => Some(Self::Close),
            4 => Some(Self::TlsStart),
            _ => None,
        }
    }
}

/// Direction of bytes as seen by the selected process.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Read by the process (requests, for a server).
    Ingress = 0,
    /// Written by the process (responses, for a server).
    Egress = 1,
}

/// Which side of the connection the selected process is.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Unknown = 0,
    /// The process accepted the connection.
    Server = 1,
    /// The process connected out.
    Client = 2,
}

impl Role {
    pub fn from_u8(v: u8) -> Self {
        match v {
            1 => Self::Server,
            2 => Self::Client,
            _ => Self::Unknown,
        }
    }
}

/// Why bytes or records were lost in the kernel; index into the per-CPU `LOSS` array.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossReason {
    /// `bpf_ringbuf_output` failed: the ring buffer was full (reader too slow).
    RingbufFull = 0,
    /// A syscall moved more than MAX_CHUNKS_PER_CALL x MAX_PAYLOAD bytes (or more iovecs than
    /// MAX_IOVECS); the rest was not copied.
    PayloadTruncated = 1,
    /// The connection table was full; a new connection is not tracked.
    ConnTableFull = 2,
    /// `bpf_probe_read_user` failed (page not resident, bad pointer).
    ReadUserFailed = 3,
    /// The saved syscall arguments table was full.
    ArgsTableFull = 4,
    /// SSL_read/SSL_write returned plaintext but the socket behind the SSL object was never seen.
    TlsFdUnknown = 5,
}

pub const LOSS_REASONS: u32 = 6;

impl LossReason {
    pub const ALL: [LossReason; LOSS_REASONS as usize] = [
        Self::RingbufFull,
        Self::PayloadTruncated,
        Self::ConnTableFull,
        Self::ReadUserFailed,
        Self::ArgsTableFull,
        Self::TlsFdUnknown,
    ];

    /// Metric label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::RingbufFull => "ringbuf_full",
            Self::PayloadTruncated => "payload_truncated",
            Self::ConnTableFull => "conn_table_full",
            Self::ReadUserFailed => "read_user_failed",
            Self::ArgsTableFull => "args_table_full",
            Self::TlsFdUnknown => "tls_fd_unknown",
        }
    }
}

/// Header of every ring buffer record.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RecordHeader {
    /// [`RecordKind`].
    pub kind: u8,
    /// [`Direction`] (Data records).
    pub direction: u8,
    /// [`Role`] of the process on this connection.
    pub role: u8,
    pub flags: u8,
    pub tgid: u32,
    pub fd: u32,
    /// Payload bytes following this header.
    pub len: u32,
    /// Connection id, unique per node while the agent runs.
    pub conn_id: u64,
    /// Stream offset (in `direction`) of the first payload byte; a jump shows lost bytes.
    pub offset: u64,
    /// bpf_ktime_get_ns (CLOCK_MONOTONIC).
    pub ts_ns: u64,
    pub cgroup_id: u64,
    pub comm: [u8; 16],
}

const _: () = assert!(core::mem::size_of::<RecordHeader>() == 64);

pub const HEADER_LEN: usize = core::mem::size_of::<RecordHeader>();

/// Key of the connection table: a socket is identified by its process and fd while it is open.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnKey {
    pub tgid: u32,
    pub fd: u32,
}

/// Value of the connection table.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ConnState {
    pub conn_id: u64,
    /// Next stream offset per [`Direction`].
    pub offsets: [u64; 2],
    pub role: u8,
    /// 1 once SSL_* calls were seen on this socket: syscall bytes are ciphertext and are skipped.
    pub tls: u8,
    pub _pad: [u8; 6],
}

const _: () = assert!(core::mem::size_of::<ConnState>() == 32);

/// Global switches written by the agent into the one-entry `CONFIG` array.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Config {
    /// Capture bytes read by the process (requests of a server).
    pub capture_ingress: u8,
    /// Capture bytes written by the process (responses of a server).
    pub capture_egress: u8,
    pub _pad: [u8; 6],
    /// Ring buffer fill (bytes) past which the writer forces a wakeup; below it records are
    /// written without one and the reader polls on a short timer (a wakeup per record costs
    /// more than the rest of the hook: shared/notes/performance-anchors.md).
    pub wakeup_threshold: u64,
}

/// Key of the SSL object → socket fd cache (SSL_read can be served from OpenSSL's buffer without
/// a syscall that would reveal the fd).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SslKey {
    pub tgid: u32,
    pub _pad: u32,
    pub ssl: u64,
}
