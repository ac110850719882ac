package io.shepherd.api.internal;

import io.shepherd.protocol.Event;
import io.shepherd.protocol.LogFilter;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which events a stream wants: some types (null: all) and the nodes (or groups) whose path
 * matches a glob (null: all; events about no node, such as a host's, pass only without a glob).
 * {@value Event#RESYNC} and {@value Event#MANAGER} always pass: every client needs them.
 */
public record EventFilter(Set<String> types, Pattern node) {

  public static final EventFilter ALL = new EventFilter(null, null);

  /**
   * From the query: {@code types=node,crash} and {@code node=daq1/**}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static EventFilter parse(String types, String node) {
    Set<String> typeSet = Event.parseTypes(types);
    Pattern pattern = null;
    if (node != null) {
      new LogFilter(node, null, null); // checks the glob
      pattern = LogFilter.glob(node);
    }
    return new EventFilter(typeSet, pattern);
  }

  public boolean test(Event event) {
    if (Event.RESYNC.equals(event.type()) || Event.MANAGER.equals(event.type())) {
      return true;
    }
    return (types == null || types.contains(event.type()))
        && (node == null || (event.path() != null && node.matcher(event.path()).matches()));
  }
}
