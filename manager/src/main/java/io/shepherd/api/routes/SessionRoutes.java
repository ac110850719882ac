package io.shepherd.api.routes;

import akka.http.javadsl.model.HttpResponse;
import io.shepherd.api.ApiException;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Call;
import io.shepherd.api.Responses;
import io.shepherd.api.Router.Role;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Names;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionStage;

/**
 * Client sessions: the lease under which a client's groups live and its managed nodes stay
 * MANAGED. A client renews it (PUT) within its time to live; when it closes (DELETE) or the lease
 * lapses (the client died or lost the network), its groups are removed and its nodes return to AUTO.
 */
public final class SessionRoutes {

  private SessionRoutes() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  public static void register(ApiServer.Context api) {
    String sessions = Api.PREFIX + "/sessions";
    api.router()
        .add("POST", sessions, Role.OPERATE, "Opens a client session with a lease of ttlMillis (default: the server's).", "OpenSession",
            "Session", call -> RouteSupport.guard(() -> {
              byte[] random = new byte[15];
              RANDOM.nextBytes(random);
              String id = Api.SESSION_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
              return renew(api, call, id, 201);
            }))
        .add("PUT", sessions + "/{id}", Role.OPERATE, "Renews a session's lease (and reopens it with a new Manager after a failover).",
            "OpenSession", "Session", call -> RouteSupport.guard(() -> renew(api, call, sessionId(call), 200)))
        .add("DELETE", sessions + "/{id}", Role.OPERATE, "Closes a session: its groups are removed (unless persistent) and its managed "
            + "nodes return to AUTO.", null, "Answer", call -> RouteSupport.guard(() -> {
              String id = sessionId(call);
              return api.manager().call(r -> new ManagerProtocol.ClientLeaving(id, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }));
  }

  private static String sessionId(Call call) {
    String id = call.param("id");
    if (!Api.isSession(id) || id.length() > 64 || !id.matches("[A-Za-z0-9_-]+")) {
      throw ApiException.badRequest("'" + Names.abbreviate(id) + "' is not a session id; POST /api/v1/sessions "
          + "opens one");
    }
    return id;
  }

  private static CompletionStage<HttpResponse> renew(ApiServer.Context api, Call call,
                                                                                                    String id, int status) {
    Duration ttl = api.settings().leaseTtl();
    if (!call.body().isEmpty()) {
      Long millis = call.body(Api.OpenSession.class).ttlMillis();
      if (millis != null) {
        ttl = Duration.ofMillis(millis);
        if (ttl.compareTo(api.settings().leaseTtlMin()) < 0 || ttl.compareTo(api.settings().leaseTtlMax()) > 0) {
          throw ApiException.badRequest("ttlMillis must be between " + api.settings().leaseTtlMin().toMillis() + " and "
              + api.settings().leaseTtlMax().toMillis() + ", got " + millis);
        }
      }
    }
    long millis = ttl.toMillis();
    return api.manager().call(r -> new ManagerProtocol.RenewLease(id, millis, r), ManagerProtocol.Ok.class)
        .thenApply(ok -> Responses.json(status, new Api.Session(id, millis)));
  }
}
