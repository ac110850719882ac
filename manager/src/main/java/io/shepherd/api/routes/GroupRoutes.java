package io.shepherd.api.routes;

import io.shepherd.api.ApiException;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Router.Role;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.ManagerProtocol;

/** NodeGroups: create, remove, and node types registered in them at run time. */
public final class GroupRoutes {

  private GroupRoutes() {}

  public static void register(ApiServer.Context api) {
    String v1 = Api.PREFIX;
    api.router()
        .add("POST", v1 + "/groups", Role.OPERATE, "Creates a NodeGroup: HOST/GROUP, or any/GROUP to let Shepherd place it. It belongs "
            + "to the client session given (removed when it closes or its lease lapses) unless persistent.", "CreateGroup", "Answer",
            call -> RouteSupport.guard(() -> {
              Api.CreateGroup body = call.body(Api.CreateGroup.class);
              GroupPath path = RouteSupport.check(() -> GroupPath.parse(body.path()));
              boolean persistent = Boolean.TRUE.equals(body.persistent());
              String owner = persistent ? null : body.session();
              if (!persistent && !Api.isSession(owner)) {
                throw ApiException.badRequest("a group that is not persistent belongs to a client session and goes with it: give "
                    + "'session' (from POST /api/v1/sessions), or 'persistent': true for a group that stays until removed");
              }
              return api.manager().call(r -> new ManagerProtocol.CreateGroup(path, persistent, owner, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(201, ok));
            }))
        .add("DELETE", v1 + "/groups/{host}/{group}", Role.OPERATE, "Removes a NodeGroup with all its nodes (each stopped and closed "
            + "first).", null, "Answer", call -> RouteSupport.guard(() -> {
              GroupPath path = RouteSupport.group(call);
              return api.manager().call(r -> new ManagerProtocol.RemoveGroup(path, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }))
        .add("POST", v1 + "/groups/{host}/{group}/types", Role.OPERATE, "Registers a node type in the group at run time (pyacq's "
            + "register_node_type_from_module): 'name' then stands for 'class' in the nodes created in the group. The group's host "
            + "checks the class first (it loads, its package is allowed there, it is a Node); a refused class registers nothing.",
            "RegisterType", "Answer", call -> RouteSupport.guard(() -> {
              GroupPath path = RouteSupport.group(call);
              Api.RegisterType body = call.body(Api.RegisterType.class);
              String name = RouteSupport.required(body.name(), "name", "{\"name\": \"MySine\", \"class\": \"org.lab.daq.MySine\"}");
              String className = RouteSupport.required(body.className(), "class", "{\"name\": \"MySine\", \"class\": "
                  + "\"org.lab.daq.MySine\"}");
              return api.manager().call(r -> new ManagerProtocol.RegisterType(path, name, className, r), ManagerProtocol.Ok.class)
                  .thenApply(ok -> RouteSupport.answer(200, ok));
            }));
  }
}
