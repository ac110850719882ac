package io.shepherd.api.routes;

import io.shepherd.api.ApiException;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Responses;
import io.shepherd.api.Router.Role;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.NodePath;
import java.util.regex.Pattern;

/** What runs where: the status, and its parts. */
public final class StatusRoutes {

  private StatusRoutes() {}

  public static void register(ApiServer.Context api) {
    String v1 = Api.PREFIX;
    api.router()
        .add("GET", v1 + "/status", Role.READ, "The whole cluster: Manager, members, hosts, groups, nodes and the log server's counters "
            + "(the JSON of bin/shepherd status --json).", null, "ClusterStatus",
            call -> api.manager().status().thenApply(Responses::ok))
        .add("GET", v1 + "/manager", Role.READ, "The Manager that answers: its address, epoch and backup.", null, "ManagerInfo",
            call -> api.manager().status().thenApply(s -> Responses.ok(new Api.ManagerInfo(s.manager().address(), s.manager().epoch(),
                s.manager().backup()))))
        .add("GET", v1 + "/hosts", Role.READ, "The registered hosts.", null, "Host[]",
            call -> api.manager().status().thenApply(s -> Responses.ok(s.hosts())))
        .add("GET", v1 + "/groups", Role.READ, "The NodeGroups.", null, "Group[]",
            call -> api.manager().status().thenApply(s -> Responses.ok(s.groups())))
        .add("GET", v1 + "/nodes", Role.READ, "The nodes; ?node=GLOB keeps those whose path matches (daq1/acq/*, **/recorder).", null,
            "NodeStatus[]", call -> RouteSupport.guard(() -> {
              Pattern glob = call.query("node").map(g -> RouteSupport.check(() -> {
                new LogFilter(g, null, null);
                return LogFilter.glob(g);
              })).orElse(null);
              return api.manager().status().thenApply(s -> Responses.ok(s.nodes().stream()
                  .filter(n -> glob == null || glob.matcher(n.path().toString()).matches()).toList()));
            }))
        .add("GET", v1 + "/nodes/{host}/{group}/{node}", Role.READ, "One node's status.", null, "NodeStatus",
            call -> RouteSupport.guard(() -> {
              NodePath path = RouteSupport.node(call);
              return api.manager().status().thenApply((ClusterStatus s) -> Responses.ok(s.nodes().stream()
                  .filter(n -> n.path().equals(path)).findFirst()
                  .orElseThrow(() -> new ApiException(404, ErrorCode.NO_SUCH_NODE, "no node " + path))));
            }));
  }
}
