//! A loopback port that nobody serves, held for the whole test.

use std::net::Ipv4Addr;
use std::os::fd::{FromRawFd, OwnedFd};

/// A loopback port that refuses every connection while this value lives: a socket is bound
/// to it, so no other test or process can take it, but never listens, so a connection is
/// refused at once. (A listener bound and dropped to learn a free port leaves the port free
/// for anything else to take before the test connects.)
pub struct RefusingPort {
    /// Holds the port; closed on drop.
    _socket: OwnedFd,
    /// The port number.
    pub port: u16,
}

/// Binds a TCP socket to 127.0.0.1 on a port the kernel picks, without listening.
pub fn refusing_port() -> RefusingPort {
    // SAFETY: plain socket calls on a descriptor owned here; `addr` and `len` are valid for
    // the duration of each call and sized for `sockaddr_in`.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let socket = OwnedFd::from_raw_fd(fd);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from(Ipv4Addr::LOCALHOST).to_be();
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let rc = libc::bind(fd, (&raw const addr).cast(), len);
        assert_eq!(rc, 0, "bind: {}", std::io::Error::last_os_error());
        let rc = libc::getsockname(fd, (&raw mut addr).cast(), &mut len);
        assert_eq!(rc, 0, "getsockname: {}", std::io::Error::last_os_error());
        RefusingPort {
            _socket: socket,
            port: u16::from_be(addr.sin_port),
        }
    }
}
