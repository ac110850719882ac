package io.shepherd.client;

import io.shepherd.protocol.Api;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.LogFilter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** The cluster's events: streamed, or read after an id by callers that poll. From {@link ShepherdClient#events()}. Thread-safe. */
public final class EventCalls {

  private final Http http;
  private final ClientSettings settings;
  private final Consumer<AutoCloseable> track;

  /** @param track keeps a stream to close with the client */
  EventCalls(Http http, ClientSettings settings, Consumer<AutoCloseable> track) {
    this.http = http;
    this.settings = settings;
    this.track = track;
  }

  /**
   * Streams the cluster's events to {@code consumer}, from now on, on a thread of the
   * subscription's own: node state changes, crashes, stalls, notifications, modes, hosts, members,
   * groups, Manager epochs, faults of managed nodes. Returns once the stream is connected (within
   * the call timeout). Across a reconnection it resumes where it left off; a {@value Event#RESYNC}
   * event says events were missed (a Manager failover): read the status again.
   *
   * @param types the event types wanted (see {@link Event}), or null for all
   * @param node a glob over node paths ({@code daq1/acq/*}, {@code **}/recorder), or null for all
   * @throws ShepherdException.InvalidArgument for an unknown type, a malformed glob or no consumer
   */
  public EventSubscription subscribe(Set<String> types, String node, Consumer<Event> consumer) {
    if (consumer == null) {
      throw new ShepherdException.InvalidArgument("a consumer is required");
    }
    try {
      if (types != null) {
        Event.parseTypes(String.join(",", types));
      }
      if (node != null) {
        new LogFilter(node, null, null);
      }
    } catch (IllegalArgumentException e) {
      throw new ShepherdException.InvalidArgument(e.getMessage());
    }
    String query = Calls.query(Map.of("types", types == null ? "" : String.join(",", types), "node", node == null ? "" : node));
    return connected(new EventSubscription(http, Api.PREFIX + "/events" + query, consumer));
  }

  /** Every event; see {@link #subscribe(Set, String, Consumer)}. */
  public EventSubscription subscribe(Consumer<Event> consumer) {
    return subscribe(null, null, consumer);
  }

  /** The events after {@code afterId} (null: every one the API member keeps), at most {@code limit}, oldest first. */
  public CompletionStage<Api.RecentEvents> recent(String afterId, int limit) {
    return http.call("GET", Api.PREFIX + "/events/recent" + Calls.query(Map.of("after", afterId == null ? "" : afterId, "limit",
        Integer.toString(limit))), null, Api.RecentEvents.class);
  }

  /** The fault events of this client's managed nodes, to {@code consumer}: what a {@link NodeManager} hears. */
  EventSubscription faults(Consumer<Event> consumer) {
    return connected(new EventSubscription(http, Api.PREFIX + "/events?types=" + Event.FAULT, consumer));
  }

  private EventSubscription connected(EventSubscription subscription) {
    track.accept(subscription);
    subscription.awaitConnected(settings.callTimeout());
    return subscription;
  }
}
