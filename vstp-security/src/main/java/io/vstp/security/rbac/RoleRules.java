package io.vstp.security.rbac;

import io.vstp.security.spi.Authorizer;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Role-based access: each role has permissions ({@code auth.role.<role> = files:read:public, echo}). Votes ALLOW
 * when one of the principal's roles has a permission that allows the action, and ABSTAIN otherwise, so that with no
 * other voice the request is denied (deny by default). Immutable; {@link #describe} names the permission that
 * matched, for the audit log.
 */
public final class RoleRules implements Authorizer {
    private final Map<String, List<Permission>> byRole;

    private RoleRules(Map<String, List<Permission>> byRole) {
        this.byRole = byRole;
    }

    /** @param rules role name → comma-separated permissions */
    public static RoleRules parse(Map<String, String> rules) {
        Map<String, List<Permission>> byRole = new LinkedHashMap<>();
        rules.forEach((role, text) -> {
            List<Permission> permissions = new ArrayList<>();
            for (String p : text.split(",")) {
                if (!p.isBlank()) {
                    permissions.add(Permission.parse(p));
                }
            }
            byRole.put(role.strip(), List.copyOf(permissions));
        });
        return new RoleRules(Collections.unmodifiableMap(byRole));
    }

    public Map<String, List<Permission>> rules() {
        return byRole;
    }

    @Override
    public Vote vote(Principal principal, Action action) {
        return match(principal, action) != null ? Vote.ALLOW : Vote.ABSTAIN;
    }

    /** {@code role → permission} that allows the action, or null. */
    public String describe(Principal principal, Action action) {
        return match(principal, action);
    }

    private String match(Principal principal, Action action) {
        for (String role : principal.roles()) {
            List<Permission> permissions = byRole.get(role);
            if (permissions == null) {
                continue;
            }
            for (Permission p : permissions) {
                if (p.allows(action)) {
                    return role + " → " + p;
                }
            }
        }
        return null;
    }
}
