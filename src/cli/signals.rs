//! Stopping cleanly on Ctrl-C, `kill` and a closed terminal (SIGINT, SIGTERM, SIGHUP on
//! Unix): the run's temporaries ([`harmspot::write::cleanup`]) are removed, then the
//! signal's default action ends the process as the signal would have (so a shell or a
//! scheduler sees "killed by SIGINT", exit status 130).
//!
//! The handler only writes the signal's number to a pipe (`write` is async-signal-safe);
//! a thread waiting on the pipe does the cleanup. A signal ignored when harmspot starts
//! (`nohup`, a background job) stays ignored. Elsewhere than Unix nothing is installed.

/// Installs the handlers; a failure leaves the default behaviour.
pub fn install() {
    #[cfg(unix)]
    unix::install();
}

#[cfg(unix)]
mod unix {
    use std::sync::atomic::{AtomicI32, Ordering};

    static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    extern "C" fn on_signal(sig: libc::c_int) {
        let fd = PIPE_WRITE.load(Ordering::Relaxed);
        let byte = sig as u8;
        // SAFETY: write(2) is async-signal-safe; the buffer is a live local byte.
        unsafe {
            libc::write(fd, (&byte as *const u8).cast(), 1);
        }
    }

    pub(super) fn install() {
        let mut fds = [-1 as libc::c_int; 2];
        // SAFETY: pipe(2) fills the two-element array it is given.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return;
        }
        PIPE_WRITE.store(fds[1], Ordering::Relaxed);
        let read_fd = fds[0];
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || wait(read_fd));
        if spawned.is_err() {
            return;
        }
        for sig in SIGNALS {
            // SAFETY: installs a handler that only calls write(2); the previous
            // disposition is restored when it was `ignore`.
            unsafe {
                let handler: extern "C" fn(libc::c_int) = on_signal;
                let old = libc::signal(sig, handler as libc::sighandler_t);
                if old == libc::SIG_IGN {
                    libc::signal(sig, libc::SIG_IGN);
                }
            }
        }
    }

    fn wait(read_fd: libc::c_int) {
        let mut byte = 0u8;
        loop {
            // SAFETY: reads one byte into a live local.
            let n = unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) };
            if n == 1 {
                break;
            }
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        harmspot::write::cleanup::remove_all();
        let sig = libc::c_int::from(byte);
        // SAFETY: restores the default action and raises the signal again, ending the
        // process as the signal would have.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
        std::process::exit(128 + sig);
    }
}
