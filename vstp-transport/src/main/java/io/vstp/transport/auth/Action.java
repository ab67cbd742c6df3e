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

    @Override
    public String toString() {
        return service + (operation.isEmpty() ? "" : ":" + operation) + (resource.isEmpty() ? "" : " " + resource);
    }
}
