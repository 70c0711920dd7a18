//! The queue's wake-up descriptor: one end of a socket pair that an event loop watches
//! (`loop.add_reader(stream.fileno(), ...)`). Queuing an event makes it readable, so a reader on
//! Python's event loop is woken by the kernel, as for any socket it reads: no thread of ours
//! attaches to the interpreter, and no future travels through tokio.
//!
//! At most one byte is outstanding: `signal` writes only when the descriptor is not readable
//! already, and `clear` (called before the reader looks at the queue) drains it, so an event
//! queued after the look signals again and none is missed.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug)]
pub struct Wake {
    reader: UnixStream,
    writer: UnixStream,
    signalled: AtomicBool,
}

impl Wake {
    pub fn new() -> io::Result<Self> {
        let (reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        Ok(Self {
            reader,
            writer,
            signalled: AtomicBool::new(false),
        })
    }

    /// The descriptor to watch for reading.
    pub fn fd(&self) -> RawFd {
        self.reader.as_raw_fd()
    }

    /// Makes the descriptor readable (a no-op while it is).
    pub fn signal(&self) {
        if !self.signalled.swap(true, Ordering::SeqCst) {
            // Never full (one byte at most is outstanding); a failure leaves the reader to the
            // next signal, nothing to report.
            let _ = (&self.writer).write(&[1]);
        }
    }

    /// Consumes the signal. Call before looking at what it signalled.
    pub fn clear(&self) {
        let mut buf = [0u8; 16];
        // One byte is outstanding at most; read until the socket is empty all the same.
        while matches!((&self.reader).read(&mut buf), Ok(n) if n == buf.len()) {}
        self.signalled.store(false, Ordering::SeqCst);
    }

    /// Whether the descriptor is readable (a signal not yet cleared).
    pub fn is_signalled(&self) -> bool {
        self.signalled.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes waiting on the read end (reads them).
    fn waiting(wake: &Wake) -> usize {
        let mut buf = [0u8; 16];
        match (&wake.reader).read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn one_byte_per_signal_until_cleared() {
        let wake = Wake::new().expect("a socket pair");
        assert_eq!(waiting(&wake), 0);
        wake.signal();
        wake.signal();
        assert!(wake.is_signalled());
        assert_eq!(waiting(&wake), 1, "one byte however many signals");
        wake.signal();
        wake.clear();
        assert!(!wake.is_signalled());
        assert_eq!(waiting(&wake), 0, "cleared: nothing left to read");
        wake.signal();
        assert!(wake.is_signalled());
        assert_eq!(waiting(&wake), 1, "a signal after a clear writes again");
    }
}
