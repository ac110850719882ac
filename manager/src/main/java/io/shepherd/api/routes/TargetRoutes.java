package io.shepherd.api.routes;

import akka.http.javadsl.model.HttpResponse;
import io.shepherd.api.ApiException;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Router.Role;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeState;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Up, down, restart and update (OCS): requests for nodes, groups, hosts or all, in order. */
public final class TargetRoutes {

  private TargetRoutes() {}

  private static final String TARGETS = "a node path (daq1/acq/sine), a group path (daq1/acq), a host id (daq1), a node name "
      + "unique in the cluster (sine) or all";

  public static void register(ApiServer.Context api) {
    String v1 = Api.PREFIX;
    api.router()
        .add("POST", v1 + "/up", Role.OPERATE, "Requests RUNNING for the targets' nodes, in order; a target that names nothing fails "
            + "the call and nothing changes.", "Targets", "Answer", call -> RouteSupport.guard(() ->
            update(api, call.principal().name(), requests(call.body(Api.Targets.class).targets(), NodeState.RUNNING))))
        .add("POST", v1 + "/down", Role.OPERATE, "Requests down for the targets' nodes (STOPPED, or INITIALIZED for one never "
            + "started), in order.", "Targets", "Answer", call -> RouteSupport.guard(() ->
            update(api, call.principal().name(), requests(call.body(Api.Targets.class).targets(), NodeState.STOPPED))))
        .add("POST", v1 + "/update", Role.OPERATE, "Requests up or down per target, in order (OCS's update): a later request wins "
            + "for the nodes they share.", "Update", "Answer", call -> RouteSupport.guard(() -> {
              List<ManagerProtocol.TargetState> requests = call.body(Api.Update.class).requests();
              if (requests == null || requests.isEmpty()) {
                throw ApiException.badRequest("give one or more requests: [{\"target\": \"all\", \"state\": \"RUNNING\"}, ...]; a target "
                    + "is " + TARGETS);
              }
              return update(api, call.principal().name(), requests);
            }))
        .add("POST", v1 + "/log-level", Role.OPERATE, "Sets a log level at run time (Architect's set_log_level): of a node's "
            + "records (a node path), of a host (its id), or of a logger on every host (logger:NAME); level TRACE, DEBUG, INFO, WARN, "
            + "ERROR, OFF, or default to undo it. Shown in the hosts' status (logLevels).", "LogLevel", "Answer",
            call -> RouteSupport.guard(() -> {
              Api.LogLevel body = call.body(Api.LogLevel.class);
              String target = RouteSupport.required(body.target(), "target", "{\"target\": \"daq1/acq/sine\", \"level\": \"DEBUG\"}");
              String level = RouteSupport.required(body.level(), "level", "{\"target\": \"daq1/acq/sine\", \"level\": \"DEBUG\"}");
              return api.manager().call(r -> new ManagerProtocol.SetLogLevel(target, level, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }))
        .add("POST", v1 + "/restart", Role.OPERATE, "Restarts the targets' nodes and the running nodes that depend on them: every one "
            + "down (dependents first), then up once all are down (dependencies first); answered once they all run again.", "Targets", "Answer", call -> RouteSupport.guard(() -> {
              List<String> targets = targets(call.body(Api.Targets.class).targets());
              String by = call.principal().name();
              return api.manager().call(r -> new ManagerProtocol.Restart(targets, by, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }));
  }

  /** {@code by}: who asks, for the faults of MANAGED nodes that others move. */
  private static CompletionStage<HttpResponse> update(ApiServer.Context api, String by, List<ManagerProtocol.TargetState> requests) {
    return api.manager().call(r -> new ManagerProtocol.Update(requests, by, r), ManagerProtocol.Ok.class)
        .thenApply(ok -> RouteSupport.answer(200, ok));
  }

  private static List<ManagerProtocol.TargetState> requests(List<String> targets, NodeState state) {
    return RouteSupport.check(() -> targets(targets).stream().map(t -> new ManagerProtocol.TargetState(t, state)).toList());
  }

  private static List<String> targets(List<String> targets) {
    if (targets == null || targets.isEmpty()) {
      throw ApiException.badRequest("give one or more targets in 'targets'; a target is " + TARGETS);
    }
    if (targets.stream().anyMatch(t -> t == null || t.isBlank())) {
      throw ApiException.badRequest("a target is empty; a target is " + TARGETS);
    }
    return targets;
  }
}
