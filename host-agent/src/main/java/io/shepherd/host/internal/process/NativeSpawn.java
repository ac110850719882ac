package io.shepherd.host.internal.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a process directly in a session of its own: the C library's {@code posix_spawn} with
 * {@code POSIX_SPAWN_SETSID} (glibc 2.26 and later), called through jnr-ffi. The JDK's way costs
 * three program loads per process — its {@code jspawnhelper}, the {@code setsid} program, then the
 * program — and a program load is the dearest part of a restart (measured in {@code bench
 * process-restart}); this one costs one, as a shell does. The child gets the given environment
 * and working directory, stdin from {@code /dev/null} or a pipe, stdout and stderr on pipes, every
 * other descriptor closed, an empty signal mask and default signal actions. Where the C library
 * lacks any of it, {@link #load()} is empty and the host starts processes through {@code setsid}.
 */
final class NativeSpawn {

  private static final Logger log = LoggerFactory.getLogger(NativeSpawn.class);

  /** The C library calls used. */
  public interface LibC {
    int posix_spawn(@Out IntByReference pid, @In String path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

    int posix_spawnattr_init(Pointer attributes);

    int posix_spawnattr_destroy(Pointer attributes);

    int posix_spawnattr_setflags(Pointer attributes, short flags);

    int posix_spawnattr_setsigmask(Pointer attributes, Pointer signals);

    int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

    int sigemptyset(Pointer signals);

    int sigfillset(Pointer signals);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int target);

    int posix_spawn_file_actions_addopen(Pointer actions, int fd, @In String path, int flags, int mode);

    int posix_spawn_file_actions_addchdir_np(Pointer actions, @In String path);

    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int pipe2(@Out int[] fds, int flags);

    int close(int fd);

    int kill(int pid, int signal);

    int waitpid(int pid, @Out IntByReference status, int options);

    int waitid(int idType, int id, Pointer info, int options);

    String strerror(int error);
  }

  private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  private static final short POSIX_SPAWN_SETSID = 0x80;
  private static final int O_RDONLY = 0;
  private static final int O_WRONLY = 1;
  private static final int SIGKILL = 9;
  private static final int O_CLOEXEC = 0x80000;
  /** Larger than glibc's posix_spawnattr_t (336 bytes), posix_spawn_file_actions_t (80) and sigset_t (128) on 64-bit Linux. */
  private static final int OPAQUE_SIZE = 1024;

  private final LibC libc;
  private final Runtime runtime;

  private NativeSpawn(LibC libc) {
    this.libc = libc;
    this.runtime = Runtime.getRuntime(libc);
  }

  /** The native spawn, if this machine's C library has every call it needs. */
  static Optional<NativeSpawn> load() {
    try {
      LibC libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
      return Optional.of(new NativeSpawn(libc));
    } catch (Throwable e) {
      log.info("processes are started through setsid: the C library has no posix_spawn with sessions ({})", e.toString());
      return Optional.empty();
    }
  }

  /** A started process, and whether it was born in the cgroup it was given. */
  record Spawned(Process process, boolean bornInGroup) {}

  /**
   * Starts {@code command} (its first element an absolute path) in a new session.
   *
   * @param workingDir the child's working directory, or null for this JVM's
   * @param stdin true for a pipe to the child's stdin, false for {@code /dev/null}
   * @param output true for pipes from the child's stdout and stderr, false for {@code /dev/null}
   * @param group the cgroup to start it in, where the calling thread can enter it for the call
   *     ({@link Cgroups.Group#enter}; nothing else runs meanwhile, so no thread of this JVM is made
   *     in it), or null
   * @throws IOException if the program cannot be started (the C library's reason in the message)
   */
  Spawned spawn(List<String> command, Map<String, String> environment, String workingDir, boolean stdin, boolean output,
      Cgroups.Group group) throws IOException {
    Pointer attributes = Memory.allocateDirect(runtime, OPAQUE_SIZE);
    Pointer actions = Memory.allocateDirect(runtime, OPAQUE_SIZE);
    Pointer signals = Memory.allocateDirect(runtime, OPAQUE_SIZE);
    List<Integer> open = new ArrayList<>();
    boolean attributesMade = false;
    boolean actionsMade = false;
    try {
      int[] out = output ? pipe(open) : null;
      int[] err = output ? pipe(open) : null;
      int[] in = stdin ? pipe(open) : null;
      check(libc.posix_spawnattr_init(attributes), "posix_spawnattr_init");
      attributesMade = true;
      check(libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
      actionsMade = true;
      check(libc.posix_spawnattr_setflags(attributes, (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)),
          "posix_spawnattr_setflags");
      libc.sigemptyset(signals);
      check(libc.posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
      libc.sigfillset(signals);
      check(libc.posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
      if (in != null) {
        check(libc.posix_spawn_file_actions_adddup2(actions, in[0], 0), "adddup2");
      } else {
        check(libc.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0), "addopen");
      }
      if (output) {
        check(libc.posix_spawn_file_actions_adddup2(actions, out[1], 1), "adddup2");
        check(libc.posix_spawn_file_actions_adddup2(actions, err[1], 2), "adddup2");
      } else {
        check(libc.posix_spawn_file_actions_addopen(actions, 1, "/dev/null", O_WRONLY, 0), "addopen");
        check(libc.posix_spawn_file_actions_adddup2(actions, 1, 2), "adddup2");
      }
      check(libc.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");
      if (workingDir != null) {
        check(libc.posix_spawn_file_actions_addchdir_np(actions, workingDir), "addchdir_np");
      }
      IntByReference pid = new IntByReference();
      List<Pointer> keep = new ArrayList<>();
      Pointer argv = strings(command, keep);
      Pointer envp = strings(environment(environment), keep);
      Optional<BornInside.Entered> inside = group == null ? Optional.empty() : group.enter();
      int error;
      try {
        error = libc.posix_spawn(pid, command.get(0), actions, attributes, argv, envp);
      } finally {
        inside.ifPresent(BornInside.Entered::leave);
      }
      Reference.reachabilityFence(keep);
      if (error != 0) {
        throw new IOException("cannot run " + command.get(0) + (workingDir == null ? "" : " in " + workingDir) + ": "
            + libc.strerror(error));
      }
      return new Spawned(streams(pid.intValue(), output ? out[0] : -1, output ? err[0] : -1, in == null ? -1 : in[1]), inside.isPresent());
    } finally {
      if (actionsMade) {
        libc.posix_spawn_file_actions_destroy(actions);
      }
      if (attributesMade) {
        libc.posix_spawnattr_destroy(attributes);
      }
      open.forEach(libc::close);
    }
  }

  /**
   * SIGKILL to every process of process group {@code group} (a started process leads its own
   * session and group, and its children stay in the group unless they move): one call, no scan of
   * every process. Nothing if the group has no process left.
   */
  void killGroup(long group) {
    libc.kill(-Math.toIntExact(group), SIGKILL);
  }

  /** The started process with its own streams on the pipes (-1: none); if they cannot be opened, the process is killed and reaped. */
  private Process streams(int pid, int out, int err, int in) throws IOException {
    try {
      InputStream stdout = out >= 0 ? reopenForReading(out) : InputStream.nullInputStream();
      InputStream stderr = err >= 0 ? reopenForReading(err) : InputStream.nullInputStream();
      OutputStream input = in >= 0 ? new BufferedOutputStream(new FileOutputStream("/proc/self/fd/" + in), 8192)
          : OutputStream.nullOutputStream();
      return new SpawnedProcess(pid, libc, stdout, stderr, input);
    } catch (IOException | RuntimeException e) {
      libc.kill(pid, SIGKILL);
      libc.waitpid(pid, new IntByReference(), 0);
      throw e;
    }
  }

  /** A pipe, both ends closed on exec (the child gets copies through dup2); its fds are added to {@code open}. */
  private int[] pipe(List<Integer> open) throws IOException {
    int[] fds = new int[2];
    if (libc.pipe2(fds, O_CLOEXEC) != 0) {
      throw new IOException("cannot make a pipe for a process (pipe2 failed)");
    }
    open.add(fds[0]);
    open.add(fds[1]);
    return fds;
  }

  /**
   * A stream of its own on the pipe {@code fd}: opened again through /proc, so that the raw fd can
   * be closed; buffered, as the JDK's process streams are (a bare FileInputStream on a pipe fails
   * readAllBytes with "Illegal seek").
   */
  private static InputStream reopenForReading(int fd) throws IOException {
    return new BufferedInputStream(new FileInputStream("/proc/self/fd/" + fd), 8192);
  }

  /** This JVM's environment with {@code added} over it, as {@code NAME=value}: what a ProcessBuilder would pass. */
  private static List<String> environment(Map<String, String> added) {
    Map<String, String> all = new LinkedHashMap<>(System.getenv());
    all.putAll(added);
    return all.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
  }

  /** A NULL-terminated array of C strings, in one block with them; the block is added to {@code keep}, which must outlive its use. */
  private Pointer strings(List<String> values, List<Pointer> keep) {
    // One block for the array and its strings, not a native allocation (and its cleaner) for each of the 50-odd of an environment.
    List<byte[]> encoded = values.stream().map(value -> value.getBytes(StandardCharsets.UTF_8)).toList();
    long arraySize = (long) (values.size() + 1) * runtime.addressSize();
    long size = arraySize + encoded.stream().mapToLong(bytes -> bytes.length + 1).sum();
    Pointer block = Memory.allocateDirect(runtime, Math.toIntExact(size));
    keep.add(block);
    long offset = arraySize;
    for (int i = 0; i < encoded.size(); i++) {
      byte[] bytes = encoded.get(i);
      block.put(offset, bytes, 0, bytes.length);
      block.putByte(offset + bytes.length, (byte) 0);
      block.putAddress((long) i * runtime.addressSize(), block.address() + offset);
      offset += bytes.length + 1;
    }
    block.putAddress((long) values.size() * runtime.addressSize(), 0L);
    return block;
  }

  private void check(int result, String call) throws IOException {
    if (result != 0) {
      throw new IOException(call + " failed: " + libc.strerror(result));
    }
  }
}
