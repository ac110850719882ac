package io.shepherd.api.routes;

import akka.http.javadsl.model.HttpResponse;
import io.shepherd.api.ApiException;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Responses;
import io.shepherd.api.Router.Role;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.HostRequest;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Names;
import java.util.concurrent.CompletionStage;

/** Calls on a host itself (the Architect node): ports it reserves, and the environment of the processes it starts. */
public final class HostRoutes {

  private HostRoutes() {}

  public static void register(ApiServer.Context api) {
    String host = Api.PREFIX + "/hosts/{host}";
    api.router()
        .add("GET", host + "/env", Role.OPERATE, "Every variable the host sets for the processes it starts.", null, "HostAnswer",
            call -> RouteSupport.guard(() -> hostCall(api, call.param("host"), new HostRequest.GetEnv(null))))
        .add("GET", host + "/env/{name}", Role.OPERATE, "One variable of the host environment (404 if unset).", null, "HostAnswer",
            call -> RouteSupport.guard(() -> {
              String name = call.param("name");
              HostRequest request = RouteSupport.check(() -> new HostRequest.GetEnv(name));
              return call(api, call.param("host"), request).thenApply(answer -> {
                if (!answer.env().containsKey(name)) {
                  throw new ApiException(404, ErrorCode.INVALID_ARGUMENT, "host " + call.param("host")
                      + " sets no variable " + name);
                }
                return Responses.ok(new Api.HostAnswer(answer.message(), answer.ports(), answer.env()));
              });
            }))
        .add("PUT", host + "/env/{name}", Role.OPERATE, "Sets a variable for the processes the host starts from now on.", "EnvValue",
            "HostAnswer", call -> RouteSupport.guard(() -> {
              String value = RouteSupport.required(call.body(Api.EnvValue.class).value(), "value", "{\"value\": \"/data\"}");
              return hostCall(api, call.param("host"), RouteSupport.check(() -> new HostRequest.SetEnv(call.param("name"), value)));
            }))
        .add("DELETE", host + "/env/{name}", Role.OPERATE, "Removes a variable of the host environment.", null, "HostAnswer",
            call -> RouteSupport.guard(() -> hostCall(api, call.param("host"),
                RouteSupport.check(() -> new HostRequest.SetEnv(call.param("name"), null)))))
        .add("GET", host + "/ports", Role.OPERATE, "The ports reserved on the host (?protocol=tcp, the default, or udp): "
            + "by clients, and the named ports of its nodes.", null, "HostAnswer",
            call -> RouteSupport.guard(() -> hostCall(api, call.param("host"),
                new HostRequest.ListPorts(udp(call.query("protocol").orElse(null))))))
        .add("POST", host + "/ports", Role.OPERATE, "Reserves free ports (tcp or udp) on the host until released.", "BindPorts",
            "HostAnswer", call -> RouteSupport.guard(() -> {
              Api.BindPorts body = call.body(Api.BindPorts.class);
              boolean udp = udp(body.protocol());
              int count = RouteSupport.required(body.count(), "count", "{\"protocol\": \"tcp\", \"count\": 2}");
              return hostCall(api, call.param("host"), RouteSupport.check(() -> new HostRequest.BindPorts(udp, count)));
            }))
        .add("POST", host + "/ports/release", Role.OPERATE, "Releases ports reserved on the host; answers those that were reserved.",
            "ReleasePorts", "HostAnswer", call -> RouteSupport.guard(() -> {
              Api.ReleasePorts body = call.body(Api.ReleasePorts.class);
              boolean udp = udp(body.protocol());
              return hostCall(api, call.param("host"), RouteSupport.check(() -> new HostRequest.ReleasePorts(udp, body.ports())));
            }));
  }

  private static boolean udp(String protocol) {
    if (protocol == null || protocol.equals("tcp")) {
      return false;
    }
    if (protocol.equals("udp")) {
      return true;
    }
    throw ApiException.badRequest("protocol must be tcp or udp, got '" + Names.abbreviate(protocol) + "'");
  }

  private static CompletionStage<HttpResponse> hostCall(ApiServer.Context api, String hostId, HostRequest request) {
    return call(api, hostId, request).thenApply(a -> Responses.ok(new Api.HostAnswer(a.message(), a.ports(), a.env())));
  }

  private static CompletionStage<ManagerProtocol.HostAnswer> call(ApiServer.Context api, String hostId, HostRequest request) {
    RouteSupport.check(() -> Names.checkHostId(hostId));
    return api.manager().call(r -> new ManagerProtocol.HostCall(hostId, request, r), ManagerProtocol.HostAnswer.class);
  }
}
