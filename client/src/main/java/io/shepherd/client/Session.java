package io.shepherd.client;

import io.shepherd.protocol.Api;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client's session at the API: its id is the owner of the groups the client creates and the
 * manager of the nodes it takes in MANAGED mode. Opened on first need; its lease is renewed every
 * third of its time to live on a thread of its own (never behind calls waiting their turn) until
 * the client closes. If the client dies, the lease lapses and the Manager removes what it owned.
 */
final class Session {

  private static final System.Logger LOG = System.getLogger(Session.class.getName());

  private final Http http;
  private final ClientSettings settings;
  private final ScheduledExecutorService timer;
  private CompletableFuture<String> id;
  private ScheduledFuture<?> renewal;
  private boolean stopped;

  Session(Http http, ClientSettings settings) {
    this.http = http;
    this.settings = settings;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "shepherd-client-lease");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** The session's id, opening the session if it is not open (again, after a failed attempt). */
  synchronized CompletableFuture<String> id() {
    if (stopped) {
      return CompletableFuture.failedFuture(new ShepherdException.InvalidArgument("this client is closed"));
    }
    if (id == null || id.isCompletedExceptionally()) {
      long ttl = settings.leaseTtl().toMillis();
      id = http.call("POST", Api.PREFIX + "/sessions", new Api.OpenSession(ttl), Api.Session.class).thenApply(opened -> {
        synchronized (this) {
          if (renewal == null && !stopped) {
            long period = Math.max(500, opened.ttlMillis() / 3);
            renewal = timer.scheduleAtFixedRate(() -> renew(opened.id(), ttl), period, period, TimeUnit.MILLISECONDS);
          }
        }
        return opened.id();
      });
    }
    return id;
  }

  private void renew(String session, long ttl) {
    try {
      http.callNow("PUT", Api.PREFIX + "/sessions/" + session, new Api.OpenSession(ttl), Api.Session.class,
          settings.leaseTtl().dividedBy(3));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not renew the lease of session " + session + " (it lapses "
          + settings.leaseTtl().toSeconds() + " s after the last renewal, and then this client's groups are removed): "
          + Http.unwrap(e).getMessage());
    }
  }

  /** Stops renewing and opening; false if stopped already. */
  synchronized boolean stop() {
    if (stopped) {
      return false;
    }
    stopped = true;
    if (renewal != null) {
      renewal.cancel(false);
    }
    return true;
  }

  /**
   * Ends the session at the API, if one was opened: the groups it owns (unless persistent) are
   * removed and the nodes it manages return to AUTO. Waits at most the call timeout; if the API
   * cannot be reached, the lease lapses by itself.
   */
  void end() {
    CompletableFuture<String> open;
    synchronized (this) {
      open = id;
    }
    if (open != null && open.isDone() && !open.isCompletedExceptionally()) {
      try {
        http.call("DELETE", Api.PREFIX + "/sessions/" + open.join(), null, Void.class)
            .get(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.log(System.Logger.Level.WARNING, "could not close this client's session: " + Http.unwrap(e).getMessage()
            + "; its groups are removed once its lease lapses");
      }
    }
  }

  /** Ends the renewal thread. */
  void release() {
    timer.shutdownNow();
  }
}
