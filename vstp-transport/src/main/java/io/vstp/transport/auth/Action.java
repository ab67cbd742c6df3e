package io.vstp.transport.auth;

import io.vstp.core.frame.Headers;
import java.util.Objects;

/**
 * What a request asks to do, as authorisation sees it (docs/spec/services.md §2a): the {@code service} header
 * ({@code echo} when absent), its {@code op} (empty when absent) and the {@code path} it names (empty when none).
 */
public record Action(String service, String operation, String resource) {
    /** The service a request without a {@code service} header reaches (services.md §1). */
    public static final String ECHO = "echo";

    public Action {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(resource, "resource");
    }

    public static Action of(Headers headers) {
        String service = headers.value("service");
        String op = headers.value("op");
        String path = headers.value("path");
        return new Action(service == null ? ECHO : service, op == null ? "" : op, path == null ? "" : path);
    }

    /**
     * The second path a request names, its {@code to} header (a move's destination), as an action of its own: a
     * request is allowed only if both its actions are (services.md §2a). Null when there is none.
     */
    public static Action destinationOf(Headers headers) {
        String to = headers.value("to");
        if (to == null) {
            return null;
        }
        Action a = of(headers);
        return new Action(a.service(), a.operation(), to);
    }

    /**
     * The decision on a request: {@code decide} on its action and, only if that allows it, on its destination when
     * it names one. The one place of the rule that a request is allowed only if every path it names is.
     */
    public static AccessDecision decideEveryPath(
            Headers request, java.util.function.Function<Action, AccessDecision> decide) {
        AccessDecision decision = decide.apply(of(request));
        Action destination = destinationOf(request);
        return decision != null && decision.allowed() && destination != null ? decide.apply(destination) : decision;
    }

    @Override
    public String toString() {
        return service + (operation.isEmpty() ? "" : ":" + operation) + (resource.isEmpty() ? "" : " " + resource);
    }
}
