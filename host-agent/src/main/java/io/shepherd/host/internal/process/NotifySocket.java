package io.shepherd.host.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's end of systemd's notify protocol: a Unix datagram socket ({@code NOTIFY_SOCKET})
 * with {@code SO_PASSCRED}, so that the kernel stamps every datagram with its sender's pid, which
 * the sender cannot forge. The JDK has no Unix datagram sockets: the C library's calls are made
 * through jnr-ffi (64-bit Linux). One daemon thread receives; {@link #close} ends it.
 *
 * <p>Like systemd, a datagram larger than {@value #MAX_DATAGRAM} bytes is dropped whole, and file
 * descriptors sent with one ({@code FDSTORE}) are closed at once: a node cannot leave descriptors in
 * the member.
 */
final class NotifySocket implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NotifySocket.class);

  /** What one datagram said, and who sent it (from the kernel's credentials). */
  interface Receiver {
    void received(long senderPid, byte[] datagram);
  }

  /** The C library calls used. */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer address, int length);

    int setsockopt(int fd, int level, int name, Pointer value, int length);

    long recvmsg(int fd, Pointer message, int flags);

    int shutdown(int fd, int how);

    int close(int fd);

    String strerror(int error);
  }

  /** Largest datagram accepted: systemd's NOTIFY_BUFFER_MAX (PIPE_BUF). */
  static final int MAX_DATAGRAM = 4096;
  private static final int AF_UNIX = 1;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_PASSCRED = 16;
  private static final int SO_RCVTIMEO = 20;
  private static final int SCM_RIGHTS = 1;
  private static final int SCM_CREDENTIALS = 2;
  private static final int MSG_CTRUNC = 0x08;
  private static final int MSG_TRUNC = 0x20;
  private static final int MSG_CMSG_CLOEXEC = 0x40000000;
  private static final int SUN_PATH_MAX = 108;
  private static final int CONTROL_SIZE = 512;

  private final LibC libc;
  private final Runtime runtime;
  private final int fd;
  private final String address;
  private final Path file;
  private final Thread thread;
  private volatile boolean closed;

  private NotifySocket(LibC libc, int fd, String address, Path file, Receiver receiver) {
    this.libc = libc;
    this.runtime = Runtime.getRuntime(libc);
    this.fd = fd;
    this.address = address;
    this.file = file;
    this.thread = new Thread(() -> receive(receiver), "shepherd-notify");
    thread.setDaemon(true);
  }

  /**
   * Opens the socket at {@code file} (an abstract address if the path is too long for a Unix
   * socket) and starts receiving.
   *
   * @throws IOException why it cannot: not 64-bit Linux, or the C library's reason
   */
  static NotifySocket open(Path file, Receiver receiver) throws IOException {
    if (!System.getProperty("os.name", "").equals("Linux")) {
      throw new IOException("the notify protocol needs Linux, not " + System.getProperty("os.name"));
    }
    LibC libc;
    try {
      libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
    } catch (Throwable e) {
      throw new IOException("the C library's socket calls cannot be loaded: " + e);
    }
    Runtime runtime = Runtime.getRuntime(libc);
    if (runtime.addressSize() != 8) {
      throw new IOException("the notify protocol needs a 64-bit JVM");
    }
    int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed: " + libc.strerror(runtime.getLastError()));
    }
    try {
      byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
      boolean onDisk = path.length < SUN_PATH_MAX;
      String address;
      byte[] name;
      if (onDisk) {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        name = path;
        address = file.toString();
      } else {
        address = "@shepherd-notify-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
        name = address.getBytes(StandardCharsets.UTF_8);
        name[0] = 0;
      }
      Pointer sockaddr = Memory.allocateDirect(runtime, 2 + SUN_PATH_MAX, true);
      sockaddr.putShort(0, (short) AF_UNIX);
      sockaddr.put(2, name, 0, name.length);
      // An abstract name's length is exact; a path's includes its terminating NUL.
      check(libc, runtime, libc.bind(fd, sockaddr, 2 + name.length + (onDisk ? 1 : 0)), "bind to " + address);
      Pointer one = Memory.allocateDirect(runtime, 4);
      one.putInt(0, 1);
      check(libc, runtime, libc.setsockopt(fd, SOL_SOCKET, SO_PASSCRED, one, 4), "SO_PASSCRED");
      Pointer second = Memory.allocateDirect(runtime, 16, true);
      second.putLong(0, 1);
      check(libc, runtime, libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, second, 16), "SO_RCVTIMEO");
      NotifySocket socket = new NotifySocket(libc, fd, address, onDisk ? file : null, receiver);
      socket.thread.start();
      return socket;
    } catch (IOException | RuntimeException e) {
      libc.close(fd);
      throw e;
    }
  }

  private static void check(LibC libc, Runtime runtime, int result, String what) throws IOException {
    if (result != 0) {
      throw new IOException(what + " failed: " + libc.strerror(runtime.getLastError()));
    }
  }

  /** What {@code NOTIFY_SOCKET} is set to: the socket's path, or {@code @name} for an abstract one. */
  String address() {
    return address;
  }

  private void receive(Receiver receiver) {
    Pointer data = Memory.allocateDirect(runtime, MAX_DATAGRAM + 1);
    Pointer control = Memory.allocateDirect(runtime, CONTROL_SIZE);
    Pointer iov = Memory.allocateDirect(runtime, 16);
    Pointer message = Memory.allocateDirect(runtime, 56);
    while (!closed) {
      iov.putAddress(0, data.address());
      iov.putLong(8, MAX_DATAGRAM + 1);
      message.putAddress(0, 0);
      message.putInt(8, 0);
      message.putAddress(16, iov.address());
      message.putLong(24, 1);
      message.putAddress(32, control.address());
      message.putLong(40, CONTROL_SIZE);
      message.putInt(48, 0);
      long length = libc.recvmsg(fd, message, MSG_CMSG_CLOEXEC);
      if (closed) {
        break;
      }
      if (length < 0) {
        continue; // the receive timeout, or an interrupted call: look at closed again
      }
      long pid = credentials(message, control);
      int flags = message.getInt(48);
      if ((flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || length > MAX_DATAGRAM) {
        log.warn("dropped a notify datagram of more than {} bytes from pid {}", MAX_DATAGRAM, pid);
        continue;
      }
      if (pid <= 0) {
        log.warn("dropped a notify datagram without its sender's credentials");
        continue;
      }
      byte[] bytes = new byte[(int) length];
      data.get(0, bytes, 0, bytes.length);
      try {
        receiver.received(pid, bytes);
      } catch (RuntimeException e) {
        log.error("a notify datagram from pid {} could not be handled", pid, e);
      }
    }
  }

  /** The sender's pid from the control messages; closes any descriptor that came along. 0 if none. */
  private long credentials(Pointer message, Pointer control) {
    long controlLength = message.getLong(40);
    long pid = 0;
    long offset = 0;
    while (offset + 16 <= controlLength) {
      long length = control.getLong(offset);
      int level = control.getInt(offset + 8);
      int type = control.getInt(offset + 12);
      if (length < 16 || offset + length > controlLength) {
        break;
      }
      if (level == SOL_SOCKET && type == SCM_CREDENTIALS && length >= 16 + 12) {
        pid = control.getInt(offset + 16);
      } else if (level == SOL_SOCKET && type == SCM_RIGHTS) {
        for (long at = offset + 16; at + 4 <= offset + length; at += 4) {
          libc.close(control.getInt(at));
        }
      }
      offset += (length + 7) & ~7L;
    }
    return pid;
  }

  @Override
  public void close() {
    closed = true;
    libc.shutdown(fd, 2);
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    libc.close(fd);
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.debug("could not delete {}", file, e);
      }
    }
  }
}
