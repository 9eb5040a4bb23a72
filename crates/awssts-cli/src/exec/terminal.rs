//! Whether a SIGINT we got also reached the child from the terminal.
//!
//! Ctrl-C makes the terminal send SIGINT to its whole foreground process
//! group, and the child is in ours. Passing that SIGINT on as well would
//! give the child two, which programs such as terraform take as "stop
//! now, without cleaning up". So a SIGINT is passed on only when our group
//! is not the foreground group of the terminal on our stdin, stdout or
//! stderr (`kill -INT` from a script, or a run in the background). A
//! `kill -INT` aimed at our pid alone while we are in the foreground is not
//! passed on: it cannot be told from Ctrl-C.

use std::os::fd::AsFd;

use nix::unistd::{Pid, getpgrp, tcgetpgrp};

/// The foreground process groups of stdin, stdout and stderr: `None`
/// where one is not a terminal, or not our controlling one.
///
/// `/dev/tty` is not asked: a run with all three redirected still gets
/// Ctrl-C twice, but a harness (or script) that starts awssts with pipes
/// from inside a terminal and sends it `kill -INT` gets it passed on.
fn foreground_groups() -> [Option<Pid>; 3] {
    [
        tcgetpgrp(std::io::stdin().as_fd()).ok(),
        tcgetpgrp(std::io::stdout().as_fd()).ok(),
        tcgetpgrp(std::io::stderr().as_fd()).ok(),
    ]
}

/// True when `own` (our process group) is the foreground group of one of
/// the terminals: a SIGINT from it went to the child too.
fn sent_to_our_group(own: Pid, foreground: &[Option<Pid>]) -> bool {
    foreground.contains(&Some(own))
}

/// Whether to pass a SIGINT we received on to the child.
pub fn forward_sigint() -> bool {
    !sent_to_our_group(getpgrp(), &foreground_groups())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_terminal_whose_foreground_is_our_group_delivers_sigint() {
        let own = Pid::from_raw(4242);
        let other = Pid::from_raw(77);
        // No terminal at all (a script, CI): pass it on.
        assert!(!sent_to_our_group(own, &[None, None, None]));
        // A terminal where another job is in the foreground (we run in the
        // background): the SIGINT was not the terminal's.
        assert!(!sent_to_our_group(own, &[Some(other), None, None]));
        // Ctrl-C in the terminal we are the foreground of, whichever of the
        // descriptors shows it.
        assert!(sent_to_our_group(own, &[Some(own), None, None]));
        assert!(sent_to_our_group(own, &[None, None, Some(own)]));
    }
}
