package io.shepherd.api.routes;

import io.shepherd.api.ApiException;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Router.Role;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.util.List;

/** Nodes: create, remove, lifecycle calls, requests, modes (Guardian), kill, purge, input (the Architect node). */
public final class NodeRoutes {

  private NodeRoutes() {}

  private static final String NODE = Api.PREFIX + "/nodes/{host}/{group}/{node}";

  public static void register(ApiServer.Context api) {
    String v1 = Api.PREFIX;
    api.router()
        .add("POST", v1 + "/nodes", Role.OPERATE, "Creates a node of a type (or an OS process: type process with a command) in its "
            + "group and drives it to 'requested' (default CREATED); answered once it exists on its host.", "CreateNode", "Answer",
            call -> RouteSupport.guard(() -> {
              Api.CreateNode body = call.body(Api.CreateNode.class);
              NodePath path = RouteSupport.check(() -> NodePath.parse(body.path()));
              NodeSpec spec = RouteSupport.required(body.spec(), "spec", "{\"type\": \"sine\", \"params\": {\"frequency\": \"5\"}}");
              NodeState requested = body.requested() == null ? NodeState.CREATED : body.requested();
              return api.manager().call(r -> new ManagerProtocol.CreateNode(path, spec, requested, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(201, ok));
            }))
        .add("DELETE", NODE, Role.OPERATE, "Stops, closes and removes a node.", null, "Answer", call -> RouteSupport.guard(() -> {
          NodePath path = RouteSupport.node(call);
          return api.manager().call(r -> new ManagerProtocol.RemoveNode(path, r), ManagerProtocol.Ok.class)
              .thenApply(ok -> RouteSupport.answer(200, ok));
        }));
    for (LifecycleAction action : LifecycleAction.values()) {
      String name = action.callName();
      api.router().add("POST", NODE + "/" + name, Role.OPERATE, "The lifecycle call " + name + ": one step from the state the node is "
          + "in or heading to (else 409, nothing changed); answered once it has arrived.", null, "Answer",
          call -> RouteSupport.guard(() -> {
            NodePath path = RouteSupport.node(call);
            String by = call.principal().name();
            return api.manager().call(r -> new ManagerProtocol.Perform(path, action, by, r), ManagerProtocol.Ok.class)
                .thenApply(ok -> RouteSupport.answer(200, ok));
          }));
    }
    api.router()
        .add("POST", NODE + "/request", Role.OPERATE, "Requests a state (Guardian): the node is driven there through the lifecycle. "
            + "Answered once recorded, or with await once arrived.", "RequestState", "Answer", call -> RouteSupport.guard(() -> {
              NodePath path = RouteSupport.node(call);
              Api.RequestState body = call.body(Api.RequestState.class);
              NodeState state = RouteSupport.required(body.state(), "state", "{\"state\": \"RUNNING\"}");
              boolean await = Boolean.TRUE.equals(body.await());
              if (body.by() != null && (body.by().isBlank() || body.by().length() > 200)) {
                throw ApiException.badRequest("'by' is the manager asking: a session id or a name of 1 to 200 characters");
              }
              String by = body.by() != null ? body.by() : call.principal().name();
              return api.manager().call(r -> new ManagerProtocol.Request(path, state, await, by, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }))
        .add("POST", NODE + "/kill", Role.OPERATE, "SIGKILL to a process node's whole session at once; it ends STOPPED.", null, "Answer",
            call -> RouteSupport.guard(() -> {
              NodePath path = RouteSupport.node(call);
              String by = call.principal().name();
              return api.manager().call(r -> new ManagerProtocol.KillNode(path, by, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }))
        .add("POST", NODE + "/purge", Role.OPERATE, "Removes a node that does not run (the Architect's purge); a running one is "
            + "refused (409).", null, "Answer", call -> RouteSupport.guard(() -> {
              NodePath path = RouteSupport.node(call);
              return api.manager().call(r -> new ManagerProtocol.Purge(path, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }))
        .add("POST", NODE + "/input", Role.OPERATE, "Writes a line to the stdin of a process node created with stdin on.", "Input",
            "Answer", call -> RouteSupport.guard(() -> {
              NodePath path = RouteSupport.node(call);
              String line = RouteSupport.required(call.body(Api.Input.class).line(), "line", "{\"line\": \"gain 2\"}");
              RouteSupport.check(() -> new ManagerProtocol.SendInput(path, line, null));
              return api.manager().call(r -> new ManagerProtocol.SendInput(path, line, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }))
        .add("POST", v1 + "/mode", Role.OPERATE, "Sets the mode of nodes, all or none (Guardian's set_managed): MANAGED nodes hold "
            + "where they crash (stalled) and their faults go to 'manager' as fault events; AUTO nodes are restarted.", "SetMode",
            "Answer", call -> RouteSupport.guard(() -> {
              Api.SetMode body = call.body(Api.SetMode.class);
              List<NodePath> paths = RouteSupport.nodePaths(body.paths());
              Mode mode = RouteSupport.required(body.mode(), "mode", "{\"mode\": \"MANAGED\"}");
              String manager = body.manager() == null ? call.principal().name() : body.manager();
              if (mode == Mode.MANAGED && (manager.isBlank() || manager.length() > 200)) {
                throw ApiException.badRequest("the manager of MANAGED nodes is a session id or a name of 1 to 200 characters");
              }
              return api.manager().call(r -> new ManagerProtocol.SetMode(paths, mode, manager, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }))
        .add("POST", v1 + "/revive", Role.OPERATE, "Re-requests the last requested state of nodes (Guardian's revive): stalled ones "
            + "start again.", "Paths", "Answer", call -> RouteSupport.guard(() -> {
              List<NodePath> paths = RouteSupport.nodePaths(call.body(Api.Paths.class).paths());
              return api.manager().call(r -> new ManagerProtocol.Revive(paths, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }));
  }
}
