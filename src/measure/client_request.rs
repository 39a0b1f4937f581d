//! Callgrind's client requests, so that a run under `valgrind --tool=callgrind
//! --collect-atstart=no` counts only the marked region (the measured engine runs) rather than
//! start-up, candle generation or JSON.
//!
//! A client request is valgrind's documented no-op instruction sequence (`valgrind.h`): four
//! rotations of a register that add up to a full turn, then an exchange of a register with
//! itself. Natively it does nothing and costs a few cycles; valgrind recognises it and acts on
//! the request whose arguments it finds in memory. Written here as inline assembly for x86_64
//! and aarch64, so the build needs neither valgrind nor its headers; on other targets the
//! requests are plain no-ops.

/// `VG_USERREQ_TOOL_BASE('C', 'T')`: where callgrind's request codes start (`callgrind.h`).
const CALLGRIND_BASE: usize = (b'C' as usize) << 24 | (b'T' as usize) << 16;
/// `VG_USERREQ__TOGGLE_COLLECT`: switches the counting of events on or off.
const TOGGLE_COLLECT: usize = CALLGRIND_BASE + 2;
/// `VG_USERREQ__START_INSTRUMENTATION`: starts instrumenting code (after `--instr-atstart=no`).
const START_INSTRUMENTATION: usize = CALLGRIND_BASE + 4;

/// Sends `request` with no arguments; returns valgrind's answer, or `default` natively.
#[inline(always)]
fn request(default: usize, request: usize) -> usize {
    let args: [usize; 6] = [request, 0, 0, 0, 0, 0];
    send(default, &args)
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn send(default: usize, args: &[usize; 6]) -> usize {
    let result;
    // SAFETY: the rotations of rdi add up to 128 bits, leaving it as it was; `xchg rbx, rbx`
    // changes nothing. Valgrind reads `args` through rax and writes its answer to rdx.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3", "rol rdi, 13", "rol rdi, 61", "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") default => result,
            in("rax") args.as_ptr(),
            options(nostack),
        );
    }
    result
}

#[cfg(target_arch = "aarch64")]
#[inline(always)]
fn send(default: usize, args: &[usize; 6]) -> usize {
    let result;
    // SAFETY: the rotations of x12 add up to 128 bits, leaving it as it was; `orr x10, x10, x10`
    // changes nothing. Valgrind reads `args` through x4 and writes its answer to x3.
    unsafe {
        std::arch::asm!(
            "ror x12, x12, #3", "ror x12, x12, #13", "ror x12, x12, #51", "ror x12, x12, #61",
            "orr x10, x10, x10",
            inout("x3") default => result,
            in("x4") args.as_ptr(),
            options(nostack),
        );
    }
    result
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
#[inline(always)]
fn send(default: usize, _: &[usize; 6]) -> usize {
    default
}

/// Switches callgrind's counting on or off; nothing outside valgrind.
#[inline(always)]
pub fn toggle_collect() {
    request(0, TOGGLE_COLLECT);
}

/// Makes callgrind start instrumenting (started with `--instr-atstart=no`); nothing outside
/// valgrind.
pub fn start_instrumentation() {
    request(0, START_INSTRUMENTATION);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_requests_are_no_ops_outside_valgrind() {
        // Under `cargo test` (not under valgrind) every request answers its default and the
        // program goes on unharmed.
        toggle_collect();
        start_instrumentation();
        toggle_collect();
        assert_eq!(request(42, TOGGLE_COLLECT), 42);
    }

    #[test]
    fn request_codes_are_callgrinds() {
        // callgrind.h: VG_USERREQ_TOOL_BASE('C','T') = 0x43540000, then DUMP_STATS,
        // ZERO_STATS, TOGGLE_COLLECT, DUMP_STATS_AT, START_INSTRUMENTATION.
        assert_eq!(TOGGLE_COLLECT, 0x4354_0002);
        assert_eq!(START_INSTRUMENTATION, 0x4354_0004);
    }
}
