/**
 * Role-based access rules: {@link io.vstp.security.rbac.Permission} grants and the {@link
 * io.vstp.security.rbac.RoleRules} authoriser.
 */
package io.vstp.security.rbac;
