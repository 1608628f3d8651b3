import Foundation

/// Turns stop signals into a flag the training loop passes to `StepAgreement`, so a
/// signal on any rank stops every rank after the same step (and a checkpoint can be
/// written) instead of killing one rank mid-collective.
///
/// - SIGUSR1, SIGTERM, SIGHUP (a closed terminal, a dropped ssh session) and a first
///   SIGINT (Ctrl-C) ask for a checkpoint and a clean stop (exit 85).
/// - A second SIGINT, or SIGUSR2 (what `launch/local.sh` forwards through mpirun for a
///   second Ctrl-C, since mpirun cannot forward SIGINT), ends the process at once
///   with 130.
/// - During start-up (`install` until `beginTraining`) there is nothing to save, so a
///   stop signal ends the process at once with 85: a long data load or cache build
///   never outlives the launcher's kill timeout. The exception: a SIGTERM sent by
///   Open MPI's own launcher (the parent `mpirun` or `orted`) before training is how
///   mpirun ends a job one of whose ranks failed (or that was itself stopped with
///   SIGTERM, when it exits 1 whatever the ranks do): that rank exits 143 and says it
///   was terminated, not "requeue me".
///
/// Under mpirun, SIGUSR1 and SIGUSR2 sent to mpirun reach every rank; SIGTERM/SIGINT
/// make mpirun itself kill the job (SIGTERM to the ranks, SIGKILL
/// `odls_base_sigkill_timeout` seconds later) and exit 1, which `launch/local.sh`
/// avoids by turning them into SIGUSR1/SIGUSR2.
public enum StopSignal {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0
    nonisolated(unsafe) private static var training: sig_atomic_t = 0
    nonisolated(unsafe) private static var silent: sig_atomic_t = 0
    /// The Open MPI launcher that started this process (its parent), or 0.
    nonisolated(unsafe) private static var openMPILauncher: pid_t = 0

    /// Whether a stop signal has arrived since `install`.
    public static var received: Bool { flag != 0 }

    /// Installs the handlers, in start-up mode (idempotent; a signal already noted
    /// stays noted). Call it before anything slow.
    public static func install() {
        // Read both statics here, so the handler never runs their lazy initialisers.
        _ = (flag, training, silent)
        openMPILauncher = Self.parentIsOpenMPILauncher() ? getppid() : 0
        signal(SIGUSR1) { _ in StopSignal.requestStop() }
        signal(SIGHUP) { _ in StopSignal.requestStop() }
        var term = sigaction()
        term.__sigaction_handler.sa_sigaction = { _, info, _ in
            if StopSignal.training == 0, StopSignal.openMPILauncher != 0, info?.pointee._sifields._kill.si_pid == StopSignal.openMPILauncher {
                StopSignal.exitNow(143, "srdist: terminated by mpirun during start-up (another rank failed, or mpirun itself was stopped): exit 143, not a requeue\n")
            }
            StopSignal.requestStop()
        }
        term.sa_flags = SA_SIGINFO
        sigaction(SIGTERM, &term, nil)
        signal(SIGUSR2) { _ in StopSignal.exitNow(130, "srdist: SIGUSR2: stopping at once (exit 130)\n") }
        signal(SIGINT) { _ in
            if StopSignal.flag != 0 { StopSignal.exitNow(130, "srdist: second interrupt: stopping at once (exit 130)\n") }
            StopSignal.requestStop()
        }
    }

    /// Whether this process prints the line of an exit at once (start-up's 85, 130).
    /// mpirun and Slurm signal every rank, and 16 ranks' identical lines say no more than
    /// rank 0's; a rank that exits alone is still named by mpirun's own report.
    public static func announceExits(_ announce: Bool) { silent = announce ? 0 : 1 }

    /// From now on a stop signal sets the flag (checkpoint at the next step boundary)
    /// instead of ending the process.
    public static func beginTraining() { training = 1 }

    /// Back to start-up mode (a staged run between stages), keeping a noted signal.
    public static func endTraining() { training = 0 }

    private static func requestStop() {
        flag = 1
        if training == 0 {
            exitNow(85, "srdist: stop signal during start-up: exiting with 85 before training (requeue me)\n")
        }
    }

    /// Whether the parent process is Open MPI's launcher (read once, before any signal).
    private static func parentIsOpenMPILauncher() -> Bool {
        let name = (try? String(contentsOfFile: "/proc/\(getppid())/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return ["mpirun", "mpiexec", "orterun", "orted", "prterun", "prted"].contains(name ?? "")
    }

    /// Only async-signal-safe calls: write(2) and _exit(2).
    private static func exitNow(_ code: Int32, _ message: StaticString) -> Never {
        if silent == 0 { _ = write(2, message.utf8Start, message.utf8CodeUnitCount) }
        _exit(code)
    }
}
