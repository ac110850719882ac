package io.shepherd.member;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;

/**
 * The systemd notify protocol, sender side ({@code sd_notify(3)}): one datagram per message, of
 * {@code KEY=VALUE} lines, to the Unix datagram socket named by {@code NOTIFY_SOCKET} (a path, or
 * {@code @name} in the abstract namespace). The JDK has no Unix datagram sockets, so it calls the C
 * library through jnr-ffi (already on the member's classpath for LMDB). Sending never blocks: a
 * message systemd cannot take at once is dropped, as {@code sd_notify} would report and go on.
 */
public final class SystemdNotify {

  /** The calls of the C library it needs. */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    long sendto(int fd, @In byte[] buffer, long length, int flags, @In byte[] address, int addressLength);

    int close(int fd);
  }

  private static final int AF_UNIX = 1;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int SUN_PATH = 108;

  private final LibC libc;
  private final byte[] address;
  private final int addressLength;
  private final String socket;
  private final Duration watchdog;
  private int fd = -1;

  private SystemdNotify(LibC libc, String socket, Duration watchdog) {
    this.libc = libc;
    this.socket = socket;
    this.watchdog = watchdog;
    byte[] path = socket.getBytes(StandardCharsets.UTF_8);
    boolean nameless = path[0] == '@';
    if (path.length >= SUN_PATH) {
      throw new IllegalArgumentException("NOTIFY_SOCKET is longer than a Unix socket path may be: " + socket);
    }
    // struct sockaddr_un: sa_family_t (native order: little-endian here), then the path.
    address = new byte[2 + SUN_PATH];
    address[0] = AF_UNIX;
    System.arraycopy(path, 0, address, 2, path.length);
    if (nameless) {
      address[2] = 0;
    }
    addressLength = 2 + path.length + (nameless ? 0 : 1);
  }

  /**
   * The notifier systemd asked for through the environment ({@code NOTIFY_SOCKET}, and
   * {@code WATCHDOG_USEC} unless {@code WATCHDOG_PID} names another process); empty if not started
   * by systemd with {@code Type=notify}.
   */
  public static Optional<SystemdNotify> fromEnvironment(Map<String, String> env) {
    String socket = env.getOrDefault("NOTIFY_SOCKET", "");
    if (socket.isEmpty() || !(socket.startsWith("/") || socket.startsWith("@"))) {
      return Optional.empty();
    }
    Duration watchdog = Duration.ZERO;
    String usec = env.getOrDefault("WATCHDOG_USEC", "");
    String pid = env.getOrDefault("WATCHDOG_PID", "");
    if (!usec.isEmpty() && (pid.isEmpty() || pid.equals(Long.toString(ProcessHandle.current().pid())))) {
      try {
        watchdog = Duration.ofNanos(Math.multiplyExact(Long.parseLong(usec), 1000L));
      } catch (ArithmeticException | NumberFormatException e) {
        throw new IllegalArgumentException("WATCHDOG_USEC is not a number of microseconds: " + usec);
      }
    }
    return Optional.of(new SystemdNotify(LibraryLoader.create(LibC.class).load("c"), socket, watchdog));
  }

  /** How often systemd wants WATCHDOG=1 at least; zero if it asked for no watchdog. */
  public Duration watchdog() {
    return watchdog;
  }

  public String socket() {
    return socket;
  }

  /**
   * Sends one message ({@code READY=1\nSTATUS=...}).
   *
   * @return false if it could not be sent (no such socket, systemd's queue full)
   */
  public synchronized boolean send(String message) {
    if (fd < 0) {
      fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        return false;
      }
    }
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    return libc.sendto(fd, bytes, bytes.length, MSG_DONTWAIT | MSG_NOSIGNAL, address, addressLength) == bytes.length;
  }

  /** A STATUS= value: one line. */
  public static String status(String text) {
    return "STATUS=" + text.replace('\n', ' ');
  }
}
