package io.shepherd.api.routes;

import io.shepherd.api.ApiException;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Call;
import io.shepherd.api.Responses;
import io.shepherd.api.Router.Role;
import io.shepherd.api.internal.EventFilter;
import io.shepherd.api.internal.EventHub;
import io.shepherd.api.internal.Sse;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.Names;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** Live events as Server-Sent Events, and the recent ones as JSON for clients that poll. */
public final class EventRoutes {

  private EventRoutes() {}

  private static final AtomicLong STREAMS = new AtomicLong();

  public static void register(ApiServer.Context api) {
    api.router()
        .add("GET", Api.PREFIX + "/events", Role.READ, "Live events as Server-Sent Events (node state changes, crashes with reason, "
            + "stalls, notifications, modes, hosts, members, groups, Manager epochs, faults of managed nodes), each with id EPOCH-SEQ. "
            + "Reconnect with Last-Event-ID (or ?after=ID) to resume without a gap; a resync event says the missed ones are gone. "
            + "?types=node,crash and ?node=GLOB filter.", null, "text/event-stream", call -> RouteSupport.guard(() -> {
              EventFilter filter = filter(call);
              String after = call.header("Last-Event-ID").or(() -> call.query("after")).orElse(null);
              if (after != null && EventHub.parseId(after) == null) {
                throw ApiException.badRequest("an event id is EPOCH-SEQ, e.g. 3-1042, got '" + Names.abbreviate(after)
                    + "'");
              }
              long id = STREAMS.incrementAndGet();
              return CompletableFuture.completedFuture(Responses.sse(Sse.stream(api.settings().sseBuffer(), api.settings().sseHeartbeat(),
                  queue -> api.events().tell(new EventHub.Connect(id, queue, filter, after)),
                  () -> api.events().tell(new EventHub.Disconnect(id)))));
            }))
        .add("GET", Api.PREFIX + "/events/recent", Role.READ, "The events after ?after=ID (default: every one kept) as JSON, at most "
            + "?limit (default 1000): for clients that poll. resync: true says the events after that id are gone.", null, "RecentEvents",
            call -> RouteSupport.guard(() -> {
              EventFilter filter = filter(call);
              String after = call.query("after").orElse(null);
              if (after != null && EventHub.parseId(after) == null) {
                throw ApiException.badRequest("after is an event id EPOCH-SEQ, e.g. 3-1042");
              }
              int limit = RouteSupport.intQuery(call, "limit", 1000, 1, 10_000);
              CompletableFuture<Api.RecentEvents> answer = new CompletableFuture<>();
              api.events().tell(new EventHub.Recent(after, filter, limit, answer));
              return answer.thenApply(Responses::ok);
            }));
  }

  private static EventFilter filter(Call call) {
    return RouteSupport.check(() -> EventFilter.parse(call.query("types").orElse(null), call.query("node").orElse(null)));
  }
}
