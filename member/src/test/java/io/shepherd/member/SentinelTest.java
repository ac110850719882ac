package io.shepherd.member;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.host.internal.process.Sessions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sentinel's script with a real bash and real UDP sockets on loopback, and its ear. */
class SentinelTest {

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private DatagramSocket peer() throws IOException {
    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    socket.setSoTimeout(10_000);
    open.add(socket);
    return socket;
  }

  private Process script() throws IOException {
    Process process = new ProcessBuilder("bash", "-c", Sentinel.SCRIPT).redirectErrorStream(true).start();
    open.add(process::destroyForcibly);
    return process;
  }

  private static void send(Process process, String... lines) throws IOException {
    OutputStream in = process.getOutputStream();
    for (String line : lines) {
      in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    in.flush();
  }

  private static String receive(DatagramSocket socket) throws IOException {
    DatagramPacket packet = new DatagramPacket(new byte[256], 256);
    socket.receive(packet);
    return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII);
  }

  /** After the process has exited, a datagram it sent is already queued at the socket: a short wait tells nothing came. */
  private static boolean nothingArrived(DatagramSocket socket) throws IOException {
    socket.setSoTimeout(200);
    try {
      receive(socket);
      return false;
    } catch (SocketTimeoutException expected) {
      return true;
    }
  }

  private static String endpoint(DatagramSocket socket) {
    return socket.getLocalAddress().getHostAddress() + "/" + socket.getLocalPort();
  }

  @Test
  void whenItsInputClosesWithoutQuietItSendsTheTokenToEveryPeerItStillKnows() throws Exception {
    DatagramSocket first = peer();
    DatagramSocket second = peer();
    DatagramSocket removed = peer();
    Process sentinel = script();
    send(sentinel, "0123abcd", "+" + endpoint(first), "+" + endpoint(removed), "+" + endpoint(second), "-" + endpoint(removed));
    sentinel.getOutputStream().close(); // what the kernel does when the JVM dies
    assertTrue(sentinel.waitFor(10, TimeUnit.SECONDS), "the sentinel exits once it has spoken");
    assertEquals("0123abcd\n", receive(first));
    assertEquals("0123abcd\n", receive(second));
    assertTrue(nothingArrived(removed), "a peer that was removed is not told");
  }

  @Test
  void quietMakesItExitWithoutAWord() throws Exception {
    DatagramSocket peer = peer();
    Process sentinel = script();
    send(sentinel, "0123abcd", "+" + endpoint(peer), "quiet");
    assertTrue(sentinel.waitFor(10, TimeUnit.SECONDS), "quiet ends the sentinel");
    assertEquals(0, sentinel.exitValue());
    assertTrue(nothingArrived(peer));
  }

  @Test
  void signalsATerminalSendsDoNotEndIt() throws Exception {
    DatagramSocket peer = peer();
    Process sentinel = script();
    send(sentinel, "0123abcd", "+" + endpoint(peer));
    awaitIgnoring(sentinel.pid(), TERMINAL_SIGNALS);
    for (String signal : List.of("INT", "TERM", "HUP")) {
      assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(sentinel.pid())).start().waitFor());
    }
    sentinel.getOutputStream().close();
    assertEquals("0123abcd\n", receive(peer), "it still speaks when the JVM dies");
  }

  /** SIGHUP, SIGINT, SIGQUIT and SIGTERM as bits of /proc/PID/status SigIgn (bit N-1 for signal N). */
  static final long TERMINAL_SIGNALS = (1L << 0) | (1L << 1) | (1L << 2) | (1L << 14);

  /** Until the script's first line (its trap) has run: a signal before that would end bash, as it would any program. */
  private static void awaitIgnoring(long pid, long signals) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String ignored = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .filter(line -> line.startsWith("SigIgn:")).findFirst().orElseThrow().substring("SigIgn:".length()).strip();
      if ((Long.parseUnsignedLong(ignored, 16) & signals) == signals) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "the sentinel ignores the terminal's signals (SigIgn " + ignored + ")");
      Thread.sleep(10);
    }
  }

  @Test
  void theSentinelRunsInASessionOfItsOwnAndItsEarHearsDatagrams() throws Exception {
    LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
    Optional<Sentinel> started = Sentinel.start("127.0.0.1", 0, heard::add);
    assertTrue(started.isPresent());
    Sentinel sentinel = started.get();
    open.add(sentinel);
    assertEquals(32, sentinel.token().length(), "128 random bits");
    assertEquals("127.0.0.1", sentinel.host());
    if (Sessions.setsid().isPresent()) {
      // setsid may still be on its way to exec bash: poll for the session
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (Sessions.stat(sentinel.pid()).map(s -> s.session() != sentinel.pid()).orElse(true) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(sentinel.pid(), Sessions.stat(sentinel.pid()).orElseThrow().session(),
          "a kill of the member's process group spares it");
    }
    DatagramSocket other = peer();
    byte[] token = "feedbeef\n".getBytes(StandardCharsets.US_ASCII);
    other.send(new DatagramPacket(token, token.length, InetAddress.getByName(sentinel.host()), sentinel.port()));
    assertEquals("feedbeef", heard.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void theEarTakesTheClusterPortNumberWhenFreeAndAnyOtherWhenNot() throws Exception {
    DatagramSocket taken = peer();
    Sentinel sentinel = Sentinel.start("127.0.0.1", taken.getLocalPort(), token -> { }).orElseThrow();
    open.add(sentinel);
    assertNotEquals(taken.getLocalPort(), sentinel.port());
    int free = sentinel.port();
    sentinel.close();
    Sentinel again = Sentinel.start("127.0.0.1", free, token -> { }).orElseThrow();
    open.add(again);
    assertEquals(free, again.port());
  }
}
