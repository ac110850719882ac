package io.shepherd.member;

import io.shepherd.host.internal.process.Sessions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's sentinel, and its ear for the other members' sentinels.
 *
 * <p>The sentinel is a small bash process in a session of its own (so that a kill of the member's
 * whole process group spares it), holding the read end of a pipe from this JVM. It is told the
 * member's one-time token first, then where the other members listen ({@code +host/port},
 * {@code -host/port}). When the pipe closes without a {@code quiet} first, the JVM has died while
 * the machine runs on, and the sentinel sends the token to every member it knows, by UDP, and
 * exits. The ear is a UDP socket on the member's address (the cluster port's number when it is
 * free) whose datagrams go to a callback, on a thread of its own.
 *
 * <p>Writes to the sentinel go through one thread of their own, in order; none blocks the caller.
 * Thread-safe.
 */
final class Sentinel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Sentinel.class);

  /** Ignores the signals a terminal sends; at end of input without "quiet", sends the token to every peer. */
  static final String SCRIPT = String.join("\n",
      "trap '' INT TERM HUP QUIT",
      "IFS= read -r token || exit 0",
      "declare -A peers",
      "while IFS= read -r line; do",
      "  case \"$line\" in",
      "    +*) peers[${line:1}]=1 ;;",
      "    -*) unset \"peers[${line:1}]\" ;;",
      "    quiet) exit 0 ;;",
      "  esac",
      "done",
      "for peer in \"${!peers[@]}\"; do",
      "  printf '%s\\n' \"$token\" 2>/dev/null > \"/dev/udp/$peer\"",
      "done");

  private static final int TOKEN_BYTES = 16;
  private static final int DATAGRAM_BYTES = 256;

  private final String token;
  private final DatagramSocket ear;
  private final Process process;
  private final OutputStream input;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "shepherd-sentinel-writer");
    thread.setDaemon(true);
    return thread;
  });
  private Thread listener;
  private boolean gone;

  private Sentinel(String token, DatagramSocket ear, Process process) {
    this.token = token;
    this.ear = ear;
    this.process = process;
    this.input = process.getOutputStream();
  }

  /**
   * Starts the sentinel and binds its ear on {@code host}, at {@code preferredPort} if free, else on
   * any port. Blocking (a process start): call it outside actors.
   *
   * @param heard gets the text of each datagram the ear receives, on the ear's thread
   * @return empty, with a warning, if bash cannot be started or the ear cannot be bound: the
   *     member then relies on the failure detector alone
   */
  static Optional<Sentinel> start(String host, int preferredPort, Consumer<String> heard) {
    DatagramSocket ear;
    try {
      ear = bind(InetAddress.getByName(host), preferredPort);
    } catch (IOException e) {
      log.warn("no sentinel: cannot listen for UDP on {} ({}); a member whose JVM dies is downed by the failure detector only",
          host, e.toString());
      return Optional.empty();
    }
    byte[] secret = new byte[TOKEN_BYTES];
    new SecureRandom().nextBytes(secret); // not generateSeed: it may wait for entropy, at every member's start
    String token = HexFormat.of().formatHex(secret);
    Sentinel sentinel;
    try {
      sentinel = new Sentinel(token, ear, Sessions.bashInOwnSession(SCRIPT));
    } catch (IOException e) {
      ear.close();
      log.warn("no sentinel: cannot start bash ({}); a member whose JVM dies is downed by the failure detector only", e.toString());
      return Optional.empty();
    }
    sentinel.tell(token);
    sentinel.listener = new Thread(() -> sentinel.listen(heard), "shepherd-sentinel-ear");
    sentinel.listener.setDaemon(true);
    sentinel.listener.start();
    return Optional.of(sentinel);
  }

  private static DatagramSocket bind(InetAddress address, int preferredPort) throws SocketException {
    if (preferredPort > 0) {
      try {
        return new DatagramSocket(new InetSocketAddress(address, preferredPort));
      } catch (SocketException taken) {
        // any other port will do: it travels with the token
      }
    }
    return new DatagramSocket(new InetSocketAddress(address, 0));
  }

  /** The token whose arrival means this member's JVM has died. */
  String token() {
    return token;
  }

  /** The address the ear listens on. */
  String host() {
    return ear.getLocalAddress().getHostAddress();
  }

  /** The UDP port the ear listens on. */
  int port() {
    return ear.getLocalPort();
  }

  /** The pid of the sentinel process. */
  long pid() {
    return process.pid();
  }

  /** The sentinel sends the token to {@code host}:{@code port} too, if the JVM dies. */
  void addPeer(String host, int port) {
    tell("+" + host + "/" + port);
  }

  void removePeer(String host, int port) {
    tell("-" + host + "/" + port);
  }

  /** The JVM is about to end on purpose: the sentinel exits without a word. */
  synchronized void quiet() {
    if (writer.isShutdown()) {
      return;
    }
    tell("quiet");
    writer.execute(this::closeInput);
  }

  private synchronized void tell(String line) {
    if (writer.isShutdown()) {
      return;
    }
    writer.execute(() -> {
      if (gone) {
        return;
      }
      try {
        input.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        input.flush();
      } catch (IOException e) {
        gone = true;
        log.warn("the member's sentinel is gone ({}); if this JVM dies, the failure detector alone notices", e.toString());
      }
    });
  }

  private void closeInput() {
    gone = true;
    try {
      input.close();
    } catch (IOException e) {
      // it ends on its own when this JVM does
    }
  }

  private void listen(Consumer<String> heard) {
    byte[] buffer = new byte[DATAGRAM_BYTES];
    while (!ear.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        ear.receive(packet);
      } catch (IOException e) {
        if (!ear.isClosed()) {
          log.warn("the sentinel's ear stopped: {}", e.toString());
        }
        return;
      }
      try {
        heard.accept(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII).strip());
      } catch (RuntimeException e) {
        log.warn("the sentinel's ear could not pass on a datagram: {}", e.toString());
      }
    }
  }

  /** Quiets the sentinel and closes the ear, without waiting: what an actor may call. */
  synchronized void shutdown() {
    if (writer.isShutdown()) {
      return;
    }
    quiet();
    writer.shutdown();
    ear.close();
  }

  /** {@link #shutdown}, then waits (at most a second each) until the last write is out and the ear's port is free. */
  @Override
  public void close() {
    shutdown();
    try {
      writer.awaitTermination(1, TimeUnit.SECONDS);
      listener.join(TimeUnit.SECONDS.toMillis(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
