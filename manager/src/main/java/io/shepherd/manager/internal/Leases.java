package io.shepherd.manager.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The leases of client sessions: a client's groups and managed nodes live while it renews its
 * lease. Clients never join the cluster, so a lease is how the Manager learns that one is gone
 * (closed, killed, or cut off). Leases are not replicated: a new Manager incarnation grants every
 * owner it finds in desired state a fresh lease, which the client renews with it.
 */
public final class Leases {

  private record Lease(long ttlNanos, long expiresAt) {}

  private final Map<String, Lease> leases = new HashMap<>();

  /** Opens or renews the lease of {@code clientId} for {@code ttlNanos} from {@code now}. */
  public void renew(String clientId, long ttlNanos, long now) {
    leases.put(clientId, new Lease(ttlNanos, now + ttlNanos));
  }

  /** Grants {@code clientId} a lease for {@code ttlNanos} from {@code now}, unless it has one. */
  public void grant(String clientId, long ttlNanos, long now) {
    leases.putIfAbsent(clientId, new Lease(ttlNanos, now + ttlNanos));
  }

  /** Ends a lease (the client closed). */
  public void end(String clientId) {
    leases.remove(clientId);
  }

  public boolean holds(String clientId) {
    return leases.containsKey(clientId);
  }

  /** Removes and returns the clients whose lease has lapsed at {@code now}. */
  public List<String> expire(long now) {
    List<String> lapsed = new ArrayList<>();
    for (Iterator<Map.Entry<String, Lease>> it = leases.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Lease> lease = it.next();
      if (now - lease.getValue().expiresAt() > 0) {
        lapsed.add(lease.getKey());
        it.remove();
      }
    }
    return lapsed;
  }

  public int size() {
    return leases.size();
  }
}
