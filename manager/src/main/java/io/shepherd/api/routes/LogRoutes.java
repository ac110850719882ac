package io.shepherd.api.routes;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Props;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Call;
import io.shepherd.api.Responses;
import io.shepherd.api.Router.Role;
import io.shepherd.api.internal.LogStreamer;
import io.shepherd.api.internal.Sse;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogProtocol;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The log server's records: the tail as JSON, and a live stream as Server-Sent Events. */
public final class LogRoutes {

  private LogRoutes() {}

  private static final AtomicLong STREAMS = new AtomicLong();

  public static void register(ApiServer.Context api) {
    api.router()
        .add("GET", Api.PREFIX + "/logs", Role.READ, "The newest records the log server holds, oldest first: ?node=GLOB, ?level=LEVEL "
            + "(and above), ?since=ISO-INSTANT or a time ago (10m), ?limit=N (1 to 10000, default 1000).", null, "Tail",
            call -> RouteSupport.guard(() -> {
              LogFilter filter = filter(call);
              int limit = RouteSupport.intQuery(call, "limit", 1000, 1, LogProtocol.QueryTail.MAX_LIMIT);
              return api.manager().tail(filter, limit).thenApply(Responses::ok);
            }))
        .add("GET", Api.PREFIX + "/logs/stream", Role.READ, "The log records that match (?node, ?level, ?since as for /logs) as "
            + "Server-Sent Events (event: log, id: the record's time in microseconds), first those the server still holds from "
            + "since, then each new one; it follows the log server across a Manager failover.", null, "text/event-stream",
            call -> RouteSupport.guard(() -> {
              LogFilter filter = filter(call);
              long id = STREAMS.incrementAndGet();
              AtomicReference<ActorRef<Object>> streamer = new AtomicReference<>();
              return CompletableFuture.completedFuture(Responses.sse(Sse.stream(api.settings().sseBuffer(), api.settings().sseHeartbeat(),
                  queue -> streamer.set(api.manager().system().systemActorOf(
                      LogStreamer.create(filter, queue, api.settings().logServerCheckInterval()), "api-log-stream-" + id, Props.empty())),
                  () -> streamer.get().tell(LogStreamer.Stop.INSTANCE))));
            }));
  }

  private static LogFilter filter(Call call) {
    return RouteSupport.check(() -> new LogFilter(call.query("node").orElse(null),
        call.query("level").map(LogLevel::parse).orElse(null), call.query("since").map(LogFilter::sinceMicros).orElse(null)));
  }
}
