//! The network namespace the side-by-side benchmark runs in.
//!
//! Janus gathers no ICE candidates on a loopback interface, and libnice will
//! not send from another address to 127.0.0.1. So the bench makes a namespace
//! with a veth pair (both ends inside, so the link is up and running), gives
//! one end 127.0.0.2, and runs the servers and the clients there: everything
//! speaks from and to 127.0.0.2, which the kernel still delivers locally.
//! Nothing outside the namespace changes, and it is removed afterwards.

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

use anyhow::{Context, bail};

pub const NAME: &str = "ctbench";
/// The interface holding [`IP`], the one Janus is told to gather on.
pub const INTERFACE: &str = "ctb0";
pub const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// The namespace, removed (with anything still running in it) on drop.
pub struct Namespace {
    _private: (),
}

fn ip(args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new("ip").args(args).output().context("running ip (apt-get install -y iproute2)")?;
    if !output.status.success() {
        bail!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").ok().is_some_and(|status| {
        status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|uids| uids.split_whitespace().nth(1)) == Some("0")
    })
}

impl Namespace {
    pub fn create() -> anyhow::Result<Self> {
        if !is_root() {
            bail!("the side-by-side benchmark creates a network namespace (ip netns add {NAME}) and so must run as root");
        }
        if std::path::Path::new("/run/netns").join(NAME).exists() {
            bail!("the network namespace {NAME} exists already: another benchmark is running, or one was killed; if not, remove it with `ip netns delete {NAME}`");
        }
        ip(&["netns", "add", NAME])?;
        let namespace = Self { _private: () };
        let ip_text = IP.to_string();
        ip(&["-n", NAME, "link", "set", "lo", "up"])?;
        ip(&["-n", NAME, "link", "add", INTERFACE, "type", "veth", "peer", "name", "ctb1"])?;
        ip(&["-n", NAME, "addr", "add", &format!("{ip_text}/32"), "dev", INTERFACE])?;
        ip(&["-n", NAME, "link", "set", INTERFACE, "up"])?;
        ip(&["-n", NAME, "link", "set", "ctb1", "up"])?;
        Ok(namespace)
    }

    /// `program args…` to run inside the namespace.
    pub fn command(&self, program: &std::path::Path) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", NAME]).arg(program);
        command
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Whatever the benchmark started and left behind (servers of a run that failed).
        if let Ok(output) = Command::new("ip").args(["netns", "pids", NAME]).output() {
            for pid in String::from_utf8_lossy(&output.stdout).split_whitespace() {
                let _ = Command::new("kill").arg(pid).status();
            }
        }
        if let Err(e) = ip(&["netns", "delete", NAME]) {
            eprintln!("could not remove the network namespace {NAME}: {e}");
        }
    }
}
