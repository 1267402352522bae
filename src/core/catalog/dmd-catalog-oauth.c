/* dmd-catalog-oauth.c — the knowledge about signing in with OAuth: what Microsoft Entra ID's
 * errors mean (read by their AADSTS number and the protocol's error code, never by the
 * description's words), and the XOAUTH2 refusal's fixes per flow
 *
 * Sources: ../shared/reference/m365-facts.md §7 (the identity platform's flows and errors,
 * Microsoft Learn "Authenticate an IMAP, POP or SMTP connection using OAuth", "OAuth
 * authentication for high volume emails for Microsoft 365" and the Add-HVEAppAccess cmdlet).
 * These entries are part of the one catalogue (dmd_catalog_entries()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-catalog-private.h"

/* Microsoft Learn, "Authenticate an IMAP, POP or SMTP connection using OAuth". */
#define URL_OAUTH_SMTP "https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth"

/* Microsoft Learn, "Manage High Volume Email for Microsoft 365" (m365-facts.md §1). */
#define URL_HVE        "https://learn.microsoft.com/exchange/mail-flow-best-practices/high-volume-mails-m365"

#define PS_GET_CAS        "Get-CASMailbox -Identity {user} | Format-List SmtpClientAuthenticationDisabled"
#define PS_SET_CAS        "Set-CASMailbox -Identity {user} -SmtpClientAuthenticationDisabled $false"
#define PS_ACCEPTED       "Get-AcceptedDomain | Format-Table DomainName,DomainType"
#define PS_NEW_SP         "New-ServicePrincipal -AppId {client-id} -ObjectId <EnterpriseAppObjectId>"
#define PS_MAILBOX_ACCESS "Add-MailboxPermission -Identity {user} -User <ServicePrincipalId> -AccessRights FullAccess"
#define PS_HVE_APP        "Add-HVEAppAccess -Identity {user} -AppIds {client-id}"

#define TECH   DMD_AUDIENCE_TECHNICIAN
#define ADMIN  DMD_AUDIENCE_ADMIN
#define ANYONE DMD_AUDIENCE_ANYONE

#define FIX_END { NULL, NULL, NULL, 0, 0 }

/* The permission an application needs, for either flow. */
#define FIX_ADD_PERMISSION \
  { N_("Add the permission to the app registration (Microsoft Entra admin center: Applications > App registrations > the app > API permissions > Add a permission > APIs my organization uses > Office 365 Exchange Online): SMTP.Send as a delegated permission when a person signs in, SMTP.SendAsApp as an application permission when the application signs in by itself."), \
    NULL, URL_OAUTH_SMTP, ADMIN }
#define FIX_ADMIN_CONSENT \
  { N_("Grant admin consent for the organization on the same page (“Grant admin consent for …”)."), \
    NULL, URL_OAUTH_SMTP, ADMIN }

const DmdCatalogEntry _dmd_catalog_oauth_entries[] = {
  { "oauth-tenant-not-found", DMD_SEVERITY_ERROR, "oauth",
    N_("Microsoft Entra ID does not know this tenant"),
    N_("The Microsoft identity platform answered that the tenant does not exist (AADSTS90002 or a related code). The tenant is the organization’s domain, such as contoso.com, or its tenant ID. A typo, a domain that was never added to Microsoft 365, or a tenant in another cloud gives this answer. Whoever set up the sign-in fixes the tenant."),
    { { N_("Check the tenant: use the organization’s primary domain, or the tenant ID shown in the Microsoft Entra admin center (Overview, Tenant ID)."),
        NULL, NULL, ADMIN },
      { N_("Check that the domain is one of the organization’s accepted domains."),
        PS_ACCEPTED, NULL, ADMIN },
      FIX_END } },

  { "oauth-app-not-found", DMD_SEVERITY_ERROR, "oauth",
    N_("The application (client) ID is not registered in this tenant"),
    N_("Microsoft Entra ID answered AADSTS700016: no application with this client ID exists in the tenant. The client ID is the Application (client) ID on the app registration’s Overview page, not its object ID nor the ID of a secret. An application registered in another organization must first be consented to in this one."),
    { { N_("Copy the Application (client) ID from the Microsoft Entra admin center: Applications > App registrations > the app > Overview."),
        NULL, URL_OAUTH_SMTP, ADMIN },
      { N_("Check that the tenant is the one the application is registered in."),
        NULL, NULL, ANYONE },
      { N_("If the application comes from another organization, an administrator of this tenant must consent to it first (Enterprise applications)."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "oauth-invalid-client-secret", DMD_SEVERITY_ERROR, "oauth",
    N_("The client secret is wrong or has expired"),
    N_("Microsoft Entra ID refused the client secret. AADSTS7000215 means the value is not the application’s secret — often the secret’s ID was copied instead of its value; AADSTS7000222 means the secret has expired. A secret’s value is shown only once, when it is created."),
    { { N_("Create a new client secret (Microsoft Entra admin center: App registrations > the app > Certificates & secrets > New client secret) and copy its Value, not its Secret ID."),
        NULL, NULL, ADMIN },
      { N_("Enter the new value in the application or the device, and note when it expires so that it is renewed in time."),
        NULL, NULL, TECH },
      FIX_END } },

  { "oauth-consent-required", DMD_SEVERITY_ERROR, "oauth",
    N_("Nobody consented to the SMTP permission"),
    N_("Microsoft Entra ID answered AADSTS65001: the application asks for a permission that was never consented to. A person signing in for a device needs the delegated permission SMTP.Send of Office 365 Exchange Online; an application signing in by itself needs the application permission SMTP.SendAsApp, which only an administrator can grant."),
    { FIX_ADD_PERMISSION,
      { N_("For High Volume Email, the application needs the application permission Mail.Send of Office 365 Exchange Online instead."),
        NULL, URL_HVE, ADMIN, DMD_FIX_IF_HVE },
      FIX_ADMIN_CONSENT,
      FIX_END } },

  { "oauth-sign-in-declined", DMD_SEVERITY_ERROR, "oauth",
    N_("The sign-in was declined"),
    N_("The person who opened the sign-in page chose not to approve the request (authorization_declined). No token was issued, and nothing was sent to the mail server."),
    { { N_("Run the check again and approve the sign-in with the mailbox’s account, after checking that the page names this application."),
        NULL, NULL, TECH },
      FIX_END } },

  { "oauth-device-code-expired", DMD_SEVERITY_ERROR, "oauth",
    N_("Nobody signed in with the code in time"),
    N_("The device code expired (expired_token) before anyone entered it on the sign-in page. A code is valid for about 15 minutes."),
    { { N_("Run the check again and enter the code at https://microsoft.com/devicelogin within its time, from any computer or phone."),
        NULL, NULL, TECH },
      FIX_END } },

  { "oauth-mfa-or-policy", DMD_SEVERITY_ERROR, "oauth",
    N_("Multi-factor authentication or Conditional Access stopped the sign-in"),
    N_("Microsoft Entra ID refused the token because of a policy: AADSTS50076 or AADSTS50079 (multi-factor authentication is required, or must first be set up) or AADSTS53003 (a Conditional Access policy blocked it). With the device code, the person completes multi-factor authentication in the browser; a policy that blocks the device code flow, or sign-ins from this place, blocks it whatever is typed."),
    { { N_("Sign in again and complete the multi-factor authentication in the browser; set it up for the mailbox first if the page asks to."),
        NULL, NULL, TECH },
      { N_("Look up the failed sign-in in the Microsoft Entra admin center (Monitoring & health > Sign-in logs, its Conditional Access tab) to see which policy applied."),
        NULL, NULL, ADMIN },
      { N_("If a policy blocks the device code flow or this location, exclude this mailbox or application from it, or sign in from where the policy allows it."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "oauth-unreachable", DMD_SEVERITY_ERROR, "oauth",
    N_("The Microsoft sign-in service cannot be reached from here"),
    N_("login.microsoftonline.com could not be reached, did not answer in time, answered with something that is not the identity platform’s answer, or showed a certificate this computer does not trust (a proxy or a web filter that inspects HTTPS). The device’s network must reach it too, or OAuth cannot work there."),
    { { N_("Allow HTTPS (port 443) to login.microsoftonline.com from this network and from the device’s, without HTTPS inspection."),
        NULL, NULL, ADMIN },
      { N_("If the network needs a proxy, check that this computer and the device use it."),
        NULL, NULL, TECH },
      FIX_END } },

  { "oauth-unknown-error", DMD_SEVERITY_ERROR, "oauth",
    N_("Microsoft Entra ID refused the token"),
    N_("Microsoft Entra ID answered with an error this tool has no specific advice for. The evidence is its AADSTS code and first line; Microsoft documents every code."),
    { { N_("Look the AADSTS code up in Microsoft’s list of Microsoft Entra authentication and authorization error codes."),
        NULL, NULL, ANYONE },
      { N_("For the device code, the app registration must allow public client flows (Authentication > Allow public client flows: Yes); AADSTS7000218 says it does not."),
        NULL, URL_OAUTH_SMTP, ADMIN, DMD_FIX_IF_DELEGATED },
      FIX_END } },

  { "auth-oauth-token-rejected", DMD_SEVERITY_ERROR, "auth",
    N_("The OAuth token was rejected"),
    N_("Microsoft 365 did not accept the XOAUTH2 sign-in. The access token has expired, was issued for another audience (it must be https://outlook.office.com), lacks the SMTP.Send permission, or belongs to another user than the one named at sign-in. The evidence says which, when the token could be read. Whoever set up the application’s OAuth fixes this."),
    { { N_("Get a fresh access token and try again."),
        NULL, NULL, ANYONE, DMD_FIX_IF_TOKEN_GIVEN },
      /* A person signed in (delegated): the mailbox's switch and SMTP.Send. */
      { N_("Check that SMTP AUTH is on for the mailbox: True means it is off for this mailbox; an empty value means the mailbox follows the organization setting."),
        PS_GET_CAS, NULL, ADMIN, DMD_FIX_IF_DELEGATED | DMD_FIX_IF_NOT_HVE },
      { N_("Turn SMTP AUTH on for the mailbox: an OAuth sign-in needs it as much as a password does."),
        PS_SET_CAS, NULL, ADMIN, DMD_FIX_IF_DELEGATED | DMD_FIX_IF_NOT_HVE },
      { N_("Request the token for https://outlook.office.com with the SMTP.Send permission (https://outlook.office.com/SMTP.Send), and grant that permission to the application."),
        NULL, URL_OAUTH_SMTP, ADMIN, DMD_FIX_IF_DELEGATED | DMD_FIX_IF_NOT_HVE },
      { N_("Sign in with the same mailbox as the one the token was issued for."),
        NULL, NULL, TECH, DMD_FIX_IF_DELEGATED },
      /* The application signed in (app-only): its permission, its service principal in
       * Exchange, and that principal's access to the mailbox. */
      { N_("Give the application the application permission SMTP.SendAsApp of Office 365 Exchange Online and grant admin consent."),
        NULL, URL_OAUTH_SMTP, ADMIN, DMD_FIX_IF_APP_ONLY | DMD_FIX_IF_NOT_HVE },
      { N_("Register the application’s service principal in Exchange Online. The object ID is the enterprise application’s (Enterprise applications > the app > Object ID), not the app registration’s."),
        PS_NEW_SP, URL_OAUTH_SMTP, ADMIN, DMD_FIX_IF_APP_ONLY | DMD_FIX_IF_NOT_HVE },
      { N_("Give the service principal access to the mailbox it sends as (its ID is shown by Get-ServicePrincipal)."),
        PS_MAILBOX_ACCESS, URL_OAUTH_SMTP, ADMIN, DMD_FIX_IF_APP_ONLY | DMD_FIX_IF_NOT_HVE },
      /* High Volume Email: Mail.Send, and the application on the account's allowed list. */
      { N_("Give the application the application permission Mail.Send of Office 365 Exchange Online with admin consent, and allow it on the High Volume Email account (up to ten applications per account); the change takes up to 5 minutes to apply."),
        PS_HVE_APP, URL_HVE, ADMIN, DMD_FIX_IF_HVE },
      FIX_END } },

  { NULL }
};

/* ------------------------------------------------------------------------------------------ */
/* Entra ID's errors                                                                           */
/* ------------------------------------------------------------------------------------------ */

static const struct {
  guint       aadsts;
  const char *id;
} aadsts_rules[] = {
  /* The tenant: not found, not a valid name, no tenant named at all. */
  { 90002,   "oauth-tenant-not-found" },
  { 900023,  "oauth-tenant-not-found" },
  { 50128,   "oauth-tenant-not-found" },
  { 50059,   "oauth-tenant-not-found" },
  { 700016,  "oauth-app-not-found" },
  { 7000215, "oauth-invalid-client-secret" },
  { 7000222, "oauth-invalid-client-secret" },
  { 65001,   "oauth-consent-required" },
  /* MFA required or not yet set up; Conditional Access. */
  { 50076,   "oauth-mfa-or-policy" },
  { 50079,   "oauth-mfa-or-policy" },
  { 53003,   "oauth-mfa-or-policy" },
};

const char *
dmd_catalog_match_entra_error (const char *error,
                               guint       aadsts)
{
  /* RFC 8628's outcomes are the protocol's own codes. */
  if (g_strcmp0 (error, "authorization_declined") == 0)
    return "oauth-sign-in-declined";
  if (g_strcmp0 (error, "expired_token") == 0)
    return "oauth-device-code-expired";
  for (guint i = 0; i < G_N_ELEMENTS (aadsts_rules); i++)
    if (aadsts_rules[i].aadsts == aadsts)
      return aadsts_rules[i].id;
  return "oauth-unknown-error";
}
