package io.shepherd.api.internal;

import akka.NotUsed;
import akka.stream.BoundedSourceQueue;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shepherd.protocol.ApiJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/** Server-Sent Events as bytes on the wire, and the stream that carries them to one client. */
public final class Sse {

  /** A comment line: keeps an idle stream alive through proxies and idle timeouts. */
  public static final ByteString HEARTBEAT = ByteString.fromString(":\n\n");

  private static final ObjectMapper JSON = ApiJson.mapper();

  private Sse() {}

  /** One event: its id (or null), its type, and {@code data} as JSON. */
  public static ByteString event(String id, String type, Object data) {
    String json;
    try {
      json = JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + data.getClass().getSimpleName() + " as JSON", e);
    }
    StringBuilder out = new StringBuilder(json.length() + 64);
    if (id != null) {
      out.append("id: ").append(id).append('\n');
    }
    out.append("event: ").append(type).append('\n');
    out.append("data: ").append(json).append("\n\n");
    return ByteString.fromString(out.toString(), StandardCharsets.UTF_8);
  }

  /**
   * A stream fed through a bounded queue of {@code buffer} events, which {@code feed} is handed (to
   * an actor that offers into it), with a comment every {@code heartbeat} while idle; its end (the
   * client went away, or the feeder completed it) runs {@code ended}.
   */
  public static Source<ByteString, NotUsed> stream(int buffer, Duration heartbeat, Consumer<BoundedSourceQueue<ByteString>> feed,
                                                   Runnable ended) {
    // The queue is made where the answer's stream runs, not ahead of it in a stream of its own: an
    // event then reaches the connection without passing from one stream's actor to another's.
    Source<ByteString, NotUsed> queue = Source.<ByteString>queue(buffer).mapMaterializedValue(q -> {
      feed.accept(q);
      return NotUsed.getInstance();
    });
    // A comment first: the answer's headers leave at once (Akka HTTP sends them with the first chunk),
    // so a client knows it is connected before the first event.
    return Source.single(HEARTBEAT).concat(queue)
        // Events that queue up while the connection is busy leave in one write.
        .batchWeighted(256 * 1024, chunk -> (long) chunk.size(), chunk -> chunk, ByteString::concat)
        .keepAlive(heartbeat, () -> HEARTBEAT)
        .watchTermination((mat, done) -> {
          Stages.plain(done).whenComplete((d, e) -> ended.run());
          return mat;
        });
  }
}
