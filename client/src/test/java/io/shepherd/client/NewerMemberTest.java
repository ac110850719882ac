package io.shepherd.client;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogRecord;
import io.shepherd.protocol.NodeState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A member newer than the client, over real sockets on loopback: its answers and events carry a
 * field this client does not know, and the client reads them all the same (members are upgraded
 * before the programs that use them).
 */
class NewerMemberTest {

  /** A node event as a newer member writes it: one field more than this client's {@link Event}. */
  static final String EVENT = "{\"id\":\"1-7\",\"epoch\":1,\"seq\":7,\"at\":\"2026-12-03T03:00:00.123456Z\",\"type\":\"node\","
      + "\"path\":\"daq1/acq/sine\",\"host\":\"daq1\",\"state\":\"RUNNING\",\"previous\":\"STARTING\",\"mode\":\"AUTO\","
      + "\"readyAfterMillis\":52}";

  HttpServer member;
  final CountDownLatch done = new CountDownLatch(1);
  Http http;

  @BeforeEach
  void start() throws IOException {
    member = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    member.createContext(Api.PREFIX + "/events/last", exchange -> {
      byte[] body = EVENT.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    member.createContext(Api.PREFIX + "/events", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(("id: 1-6\nevent: node\ndata: " + EVENT.replace("\"seq\":7", "\"seq\":6").replace("RUNNING", "HIBERNATING")
            + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.write(("id: 1-7\nevent: node\ndata: " + EVENT + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        done.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    member.createContext(Api.PREFIX + "/logs/stream", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write("event: server\ndata: {\"logServer\":true}\n\n".getBytes(StandardCharsets.UTF_8));
        out.write(("event: log\ndata: " + record(1, "NOTICE") + "\n\nevent: log\ndata: " + record(2, "WARN") + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
        out.flush();
        done.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    member.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    member.start();
    http = new Http(List.of(URI.create("http://127.0.0.1:" + member.getAddress().getPort())), null, null, Duration.ofSeconds(2),
        Duration.ofSeconds(4));
  }

  /** A log record as a newer member writes it: a field more, and the level {@code level}. */
  static String record(long seq, String level) {
    return "{\"source\":\"daq1\",\"seq\":" + seq + ",\"micros\":1796266416976639,\"level\":\"" + level + "\",\"node\":null,"
        + "\"logger\":\"daq\",\"thread\":\"main\",\"message\":\"m" + seq + "\",\"error\":null,\"host\":\"daq1\"}";
  }

  @AfterEach
  void stop() {
    done.countDown();
    http.close();
    member.stop(0);
  }

  @Test
  void aLogRecordWithAFieldThisClientDoesNotKnowIsReadAndOneWithALevelItDoesNotKnowIsCounted() throws InterruptedException {
    BlockingQueue<LogRecord> seen = new LinkedBlockingQueue<>();
    LogSubscription subscription = new LogSubscription(http, new LogFilter(null, null, null), seen::add, null, null);
    try {
      assertTrue(subscription.awaitConnected(Duration.ofSeconds(10)));
      LogRecord record = seen.poll(10, TimeUnit.SECONDS);
      assertNotNull(record, "the record was skipped");
      assertEquals("m2", record.message());
      assertEquals(1, subscription.unreadable(), "the record before, at a level this client does not know");
      assertNull(seen.poll(200, TimeUnit.MILLISECONDS));
    } finally {
      subscription.close();
    }
  }

  @Test
  void anAnswerWithAFieldThisClientDoesNotKnowIsRead() {
    Event event = http.callNow("GET", Api.PREFIX + "/events/last", null, Event.class, Duration.ofSeconds(4));
    assertEquals(NodeState.RUNNING, event.state());
    assertEquals(Instant.parse("2026-12-03T03:00:00.123456Z"), event.at());
  }

  @Test
  void anEventWithAFieldThisClientDoesNotKnowReachesTheConsumerAndOneWithAValueItDoesNotKnowIsCounted() throws InterruptedException {
    BlockingQueue<Event> seen = new LinkedBlockingQueue<>();
    try (EventSubscription subscription = new EventSubscription(http, Api.PREFIX + "/events", seen::add)) {
      assertTrue(subscription.awaitConnected(Duration.ofSeconds(10)));
      Event event = seen.poll(10, TimeUnit.SECONDS);
      assertNotNull(event, "the event was skipped");
      assertEquals(7, event.seq());
      assertEquals(NodeState.STARTING, event.previous());
      assertEquals(1, subscription.unreadable(), "the event before, in a state this client does not know");
      assertNull(seen.poll(200, TimeUnit.MILLISECONDS));
    }
  }
}
