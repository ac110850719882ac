package io.shepherd.client;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's HTTP against real sockets on loopback: a member whose API accepts connections and
 * never answers (a frozen JVM) beside one that answers.
 */
class HttpTest {

  ServerSocket silent;
  final List<Socket> held = new CopyOnWriteArrayList<>();
  final AtomicInteger silentConnections = new AtomicInteger();
  HttpServer answering;
  final AtomicInteger answered = new AtomicInteger();
  Http http;

  @BeforeEach
  void start() throws IOException {
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!silent.isClosed()) {
        try {
          held.add(silent.accept()); // read nothing, answer nothing
          silentConnections.incrementAndGet();
        } catch (IOException closed) {
          return;
        }
      }
    }, "silent-api");
    acceptor.setDaemon(true);
    acceptor.start();
    answering = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    answering.createContext("/api/v1/ping", exchange -> {
      answered.incrementAndGet();
      byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    answering.start();
    http = new Http(List.of(url(silent.getLocalPort()), url(answering.getAddress().getPort())), null, null, Duration.ofSeconds(2),
        Duration.ofSeconds(4));
  }

  static URI url(int port) {
    return URI.create("http://127.0.0.1:" + port);
  }

  @AfterEach
  void stop() throws IOException {
    http.close();
    answering.stop(0);
    silent.close();
    for (Socket socket : held) {
      socket.close();
    }
  }

  @Test
  void aGetGoesOnToTheNextMemberWhenOneNeverAnswersAndTheNextCallStartsThere() {
    long started = System.nanoTime();
    assertEquals(Map.of("ok", true), http.callNow("GET", "/api/v1/ping", null, Map.class, Duration.ofSeconds(4)));
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(4).toNanos(), "answered within the call's time");
    assertEquals(1, silentConnections.get(), "the silent member was tried first");
    assertEquals(1, http.preferred(), "the member that answered is preferred");
    http.callNow("GET", "/api/v1/ping", null, Map.class, Duration.ofSeconds(4));
    assertEquals(1, silentConnections.get(), "the next call went straight to the member that answers");
    assertEquals(2, answered.get());
  }

  @Test
  void aPostToAMemberThatNeverAnswersTimesOutOnceAndTheNextCallStartsElsewhere() {
    ShepherdException.Timeout timeout = assertThrows(ShepherdException.Timeout.class,
        () -> http.callNow("POST", "/api/v1/ping", Map.of(), Map.class, Duration.ofSeconds(1)));
    assertTrue(timeout.getMessage().contains("may or may not have taken effect"), timeout.getMessage());
    assertEquals(0, answered.get(), "a POST is never sent twice");
    assertEquals(1, http.preferred(), "the next call starts with the other member");
    assertEquals(Map.of("ok", true), http.callNow("GET", "/api/v1/ping", null, Map.class, Duration.ofSeconds(4)));
    assertEquals(1, silentConnections.get());
  }

  @Test
  void whenNoMemberAnswersAGetTimesOutNamingTheLastOneTried() throws IOException {
    answering.stop(0);
    ServerSocket second = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    try (Http both = new Http(List.of(url(silent.getLocalPort()), url(second.getLocalPort())), null, null, Duration.ofSeconds(2),
        Duration.ofSeconds(2))) {
      ShepherdException.Timeout timeout = assertThrows(ShepherdException.Timeout.class,
          () -> both.callNow("GET", "/api/v1/ping", null, Map.class, Duration.ofSeconds(2)));
      assertTrue(timeout.getMessage().startsWith("no API answered GET /api/v1/ping in time"), timeout.getMessage());
    } finally {
      second.close();
    }
  }
}
