package io.shepherd.api.routes;

import akka.NotUsed;
import akka.stream.BoundedSourceQueue;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.shepherd.api.ApiServer;
import io.shepherd.api.internal.Sse;
import io.shepherd.api.internal.Stages;
import java.util.function.Consumer;

/** A Server-Sent Event stream fed through a bounded queue, with heartbeats, that says when its client has gone. */
final class Streams {

  private Streams() {}

  /**
   * A stream whose queue {@code feed} is handed (to an actor that offers into it), and whose end
   * (the client went away, or the feeder completed it) runs {@code ended}.
   */
  static Source<ByteString, NotUsed> open(ApiServer.Context api, Consumer<BoundedSourceQueue<ByteString>> feed, Runnable ended) {
    // The queue is made where the answer's stream runs, not ahead of it in a stream of its own: an
    // event then reaches the connection without passing from one stream's actor to another's.
    Source<ByteString, NotUsed> queue = Source.<ByteString>queue(api.settings().sseBuffer()).mapMaterializedValue(q -> {
      feed.accept(q);
      return NotUsed.getInstance();
    });
    // A comment first: the answer's headers leave at once (Akka HTTP sends them with the first chunk),
    // so a client knows it is connected before the first event.
    return Source.single(Sse.HEARTBEAT).concat(queue)
        // Events that queue up while the connection is busy leave in one write.
        .batchWeighted(256 * 1024, chunk -> (long) chunk.size(), chunk -> chunk, ByteString::concat)
        .keepAlive(api.settings().sseHeartbeat(), () -> Sse.HEARTBEAT)
        .watchTermination((mat, done) -> {
          Stages.plain(done).whenComplete((d, e) -> ended.run());
          return mat;
        });
  }
}
