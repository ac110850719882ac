package io.shepherd.host.internal.process;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jnr.ffi.LastError;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * A process started by {@link NativeSpawn}, as a {@link Process}: a thread of its own (from a pool)
 * waits for it ({@code waitpid}) and reaps it, as the JDK's reaper does for the processes it starts. Its exit
 * value follows the JDK: the exit status, or 128 + N when signal N ended it. Signals are sent only
 * before it is reaped, so that a reused pid is never hit.
 */
final class SpawnedProcess extends Process {

  private static final int SIGTERM = 15;
  private static final int SIGKILL = 9;
  private static final int EINTR = 4;
  private static final int P_PID = 1;
  private static final int WEXITED = 4;
  private static final int WNOWAIT = 0x01000000;
  private static final int WNOHANG = 1;
  /** Larger than Linux's siginfo_t (128 bytes). */
  private static final int SIGINFO_SIZE = 256;

  /** The reapers' threads, one per live process (a replacement reuses its predecessor's). */
  private static final ExecutorService REAPERS = IdlePool.named("shepherd-reaper");

  private final int pid;
  private final NativeSpawn.LibC libc;
  private final InputStream stdout;
  private final InputStream stderr;
  private final OutputStream stdin;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  SpawnedProcess(int pid, NativeSpawn.LibC libc, InputStream stdout, InputStream stderr, OutputStream stdin) {
    this.pid = pid;
    this.libc = libc;
    this.stdout = stdout;
    this.stderr = stderr;
    this.stdin = stdin;
    REAPERS.execute(() -> {
      Thread.currentThread().setName("shepherd-reaper-" + pid); // its exit is logged from here
      try {
        reap();
      } finally {
        Thread.currentThread().setName("shepherd-reaper");
      }
    });
  }

  /**
   * Waits for the exit without reaping ({@code waitid} with {@code WNOWAIT}), then reaps under the
   * lock that {@link #signal} takes: no signal can reach the pid once it is free for reuse.
   */
  private void reap() {
    Pointer info = Memory.allocateDirect(Runtime.getRuntime(libc), SIGINFO_SIZE);
    while (libc.waitid(P_PID, pid, info, WEXITED | WNOWAIT) != 0 && LastError.getLastError(Runtime.getRuntime(libc)) == EINTR) {
      // interrupted by a signal: wait again
    }
    IntByReference status = new IntByReference();
    synchronized (this) {
      int result = libc.waitpid(pid, status, WNOHANG);
      int raw = status.intValue();
      int signal = raw & 0x7f;
      // result != pid cannot happen for a child of this JVM; then it ends as if killed, so that no waiter hangs.
      exit.complete(result != pid ? 0x80 + SIGKILL : signal == 0 ? (raw >> 8) & 0xff : 0x80 + signal);
    }
  }

  @Override
  public OutputStream getOutputStream() {
    return stdin;
  }

  @Override
  public InputStream getInputStream() {
    return stdout;
  }

  @Override
  public InputStream getErrorStream() {
    return stderr;
  }

  @Override
  public int waitFor() throws InterruptedException {
    try {
      return exit.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    try {
      exit.get(timeout, unit);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public int exitValue() {
    Integer value = exit.getNow(null);
    if (value == null) {
      throw new IllegalThreadStateException("process " + pid + " has not exited");
    }
    return value;
  }

  @Override
  public void destroy() {
    signal(SIGTERM);
  }

  @Override
  public Process destroyForcibly() {
    signal(SIGKILL);
    return this;
  }

  private synchronized void signal(int signal) {
    if (!exit.isDone()) {
      libc.kill(pid, signal);
    }
  }

  @Override
  public boolean supportsNormalTermination() {
    return true;
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public boolean isAlive() {
    return !exit.isDone();
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit.thenApply(value -> this);
  }

  @Override
  public ProcessHandle toHandle() {
    return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " has ended"));
  }
}
