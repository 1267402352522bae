/* dmd-catalog.c — the knowledge base: one table with every finding id, its texts and fixes
 *
 * The texts are the project's own words, written from Microsoft's troubleshooting guide for
 * printers, scanners and LOB applications and from what changed since (see
 * ../shared/reference). Commands are data (Exchange Online PowerShell), never translated;
 * admin-center paths are part of the translated text, because the admin center shows its
 * labels in the admin's language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dmd-catalog.h"
#include "dmd-catalog-private.h"
#include "dmd-host.h"

/* Microsoft documentation, only pages the references name. */
#define URL_GUIDE             "https://learn.microsoft.com/exchange/mail-flow-best-practices/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off"
#define URL_SMTP_AUTH_ENABLE  "https://docs.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission"
#define URL_SMTP_AUTH_OFF     "https://aka.ms/smtp_auth_disabled"
#define URL_SMTP_AUTH_TLS     "https://aka.ms/smtp_auth_tls"
#define URL_LEGACY_TLS        "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/opt-in-exchange-online-endpoint-for-legacy-tls-using-smtp-auth"
#define URL_BASIC_AUTH_PLAN   "https://techcommunity.microsoft.com/blog/exchange/updated-exchange-online-smtp-auth-basic-authentication-deprecation-timeline/4489835"
#define URL_REJECT_DIRECT     "https://techcommunity.microsoft.com/blog/exchange/introducing-more-control-over-direct-send-in-exchange-online/4408790"
#define URL_RELAY_DENIED      "https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/ndr/relay-access-denied-smtp"
#define URL_CONNECTOR_NOTICE  "https://learn.microsoft.com/en-us/exchange/troubleshoot/connectors/office-365-notice"
#define URL_DELIST            "https://sender.office.com/"
#define URL_IP_REPUTATION     "https://go.microsoft.com/fwlink/?LinkID=526655"
#define URL_DBEB              "https://go.microsoft.com/fwlink/p/?LinkId=390676"
#define URL_AUTH_REPORT       "https://learn.microsoft.com/exchange/monitoring/mail-flow-reports/mfr-smtp-auth-clients-report"
#define URL_RCA               "https://learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/remote-connectivity-analyzer-tests"
/* Microsoft's setup guide for devices, at its options 2 (Direct Send: how to find the MX
 * endpoint) and 3 (the SMTP relay connector); the troubleshooting guide links to both. */
#define URL_SETUP             "https://learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365"
#define URL_SETUP_DIRECT      URL_SETUP "#option-2-send-mail-directly-from-your-printer-or-application-to-microsoft-365-or-office-365-direct-send"
#define URL_SETUP_RELAY       URL_SETUP "#option-3-configure-a-connector-to-send-mail-using-microsoft-365-or-office-365-smtp-relay"
/* High Volume Email (learn "Manage High Volume Email for Microsoft 365"). */
#define URL_HVE               "https://learn.microsoft.com/exchange/mail-flow-best-practices/high-volume-mails-m365"
/* Exchange Online's NDR reference and its pages per code. */
#define URL_NDR               "https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online"
#define URL_NDR_QUOTA         "https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-for-submission-quota-exceeded-in-exchange-online"
#define URL_NDR_5_7_750       "https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/fix-error-code-5-7-700-through-5-7-750"
#define URL_DELIST_BY_MAIL    "https://learn.microsoft.com/defender-office-365/external-senders-use-the-delist-portal-to-unblock-yourself"
#define URL_ADD_DOMAIN        "https://learn.microsoft.com/microsoft-365/admin/setup/add-domain"
/* The Microsoft 365 admin center's automated diagnostics (admin account needed): the one the
 * troubleshooting guide ends with ("Run Tests: Send email using Microsoft 365"), and the NDR
 * diagnostic of the NDR reference ("Run Tests: NDR diagnostics"). */
#define URL_DIAG_DEVICES      "https://aka.ms/smtprelay"
#define URL_DIAG_NDR          "https://aka.ms/PillarEmailNDR"

/* Exchange Online PowerShell, shared by several entries. */
#define PS_GET_CAS       "Get-CASMailbox -Identity {user} | Format-List SmtpClientAuthenticationDisabled"
#define PS_SET_CAS       "Set-CASMailbox -Identity {user} -SmtpClientAuthenticationDisabled $false"
#define PS_GET_TRANSPORT "Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled"
#define PS_SET_TRANSPORT "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"
#define PS_LEGACY_TLS    "Set-TransportConfig -AllowLegacyTLSClients $true"
#define PS_SEND_AS       "Add-RecipientPermission -Identity {from} -Trustee {user} -AccessRights SendAs"
#define PS_AUTH_POLICY   "Get-AuthenticationPolicy | Format-List Name,AllowBasicAuthSmtp"
#define PS_GET_CONNECTOR "Get-InboundConnector | Format-List Name,Enabled,ConnectorType,SenderIPAddresses,TlsSenderCertificateName,RestrictDomainsToIPAddresses,RestrictDomainsToCertificate"
#define PS_ADD_CONN_IP   "Set-InboundConnector -Identity <ConnectorName> -SenderIPAddresses @{Add={ipv4}}"
/* An OnPremises connector ("from your organization's email server") that identifies the site
 * by its IP: the SMTP relay connector of Microsoft's setup guide (option 3). Microsoft's cmdlet
 * reference documents RestrictDomainsToIPAddresses, RestrictDomainsToCertificate and RequireTls
 * for Partner connectors only, and SenderIPAddresses as IPv4 only. */
#define PS_NEW_CONN_IP   "New-InboundConnector -Name 'Devices' -ConnectorType OnPremises -SenderDomains '*' -SenderIPAddresses {ipv4}"
#define PS_ACCEPTED      "Get-AcceptedDomain | Format-Table DomainName,DomainType"
#define PS_REJECT_DIRECT "Get-OrganizationConfig | Format-List RejectDirectSend"

#define TECH   DMD_AUDIENCE_TECHNICIAN
#define ADMIN  DMD_AUDIENCE_ADMIN
#define ANYONE DMD_AUDIENCE_ANYONE

/* Fix steps that several entries share. */
#define FIX_FIND_MX \
  { N_("Look up the organization’s MX endpoint in the Microsoft 365 admin center: Settings > Domains > the domain > DNS records, the “Points to address” of the MX record. It ends in mail.protection.outlook.com or mx.microsoft. Never build the name from the domain by hand."), \
    NULL, URL_SETUP_DIRECT, ADMIN }
#define FIX_CHECK_CAS \
  { N_("Check that SMTP AUTH is on for the mailbox: True means it is off for this mailbox; an empty value means the mailbox follows the organization setting."), \
    PS_GET_CAS, URL_SMTP_AUTH_ENABLE, ADMIN }
#define FIX_CHECK_TRANSPORT \
  { N_("Check the organization setting: True means SMTP AUTH is off for every mailbox that does not override it."), \
    PS_GET_TRANSPORT, URL_SMTP_AUTH_ENABLE, ADMIN }
#define FIX_ENABLE_CAS \
  { N_("Turn SMTP AUTH on for this mailbox only; the mailbox setting overrides the organization setting, and the other mailboxes stay protected."), \
    PS_SET_CAS, URL_SMTP_AUTH_ENABLE, ADMIN }
#define FIX_OWA \
  { N_("Sign in to Outlook on the web with the same user name and password and send a test email: this shows whether the password is right and the mailbox is active and not blocked."), \
    NULL, URL_GUIDE, TECH }
#define FIX_OTHER_OPTIONS \
  { N_("Or move the device to a way that needs no password: OAuth (XOAUTH2) if the device supports it, High Volume Email for recipients inside the organization, or SMTP relay with a connector."), \
    NULL, URL_BASIC_AUTH_PLAN, ANYONE }
#define FIX_FIRMWARE_TLS12 \
  { N_("Update the device’s firmware (or the application) so that it supports TLS 1.2 or later; ask the manufacturer if unsure."), \
    NULL, URL_GUIDE, TECH }
#define FIX_LEGACY_TLS_STOPGAP \
  { N_("As a stop-gap only: turn on legacy TLS clients for the organization (Exchange admin center > Settings > Mail flow > Security, “Turn on use of legacy TLS clients”) and point the device at smtp-legacy.office365.com. That endpoint takes Basic authentication only, so it ends with Basic authentication; it does not exist in GCC, GCC High or DoD."), \
    PS_LEGACY_TLS, URL_LEGACY_TLS, ADMIN }
#define FIX_USE_DS_OR_RELAY_TLS \
  { N_("Or use Direct Send or SMTP relay, where TLS is optional."), \
    NULL, URL_GUIDE, ANYONE }
#define FIX_SMTP_INSPECTION \
  { N_("Turn off SMTP inspection (also called SMTP fixup or ESMTP inspection) and mail scanning for traffic to Microsoft 365 on the firewall, proxy or antivirus software."), \
    NULL, NULL, ADMIN }
/* The Microsoft 365 admin center's automated diagnostic, where the troubleshooting guide ends. */
#define FIX_RUN_DIAGNOSTIC \
  { N_("If the problem remains, run Microsoft’s automated diagnostic in the Microsoft 365 admin center (“Run Tests: Send email using Microsoft 365”; it needs an admin account) and choose the troubleshooting of an existing setup."), \
    NULL, URL_DIAG_DEVICES, ADMIN }
#define FIX_MFA_SECDEFAULTS_CA \
  { N_("Check whether multi-factor authentication, security defaults or a Conditional Access policy that blocks legacy authentication applies to this mailbox. Exclude the mailbox only if you accept the risk."), \
    NULL, URL_GUIDE, ADMIN }
#define FIX_END { NULL, NULL, NULL, 0, 0 }

static const DmdCatalogEntry entries[] = {
  /* ---------------------------------------------------------------------------------------- */
  /* Pre-flight                                                                               */
  /* ---------------------------------------------------------------------------------------- */
  { "config-no-credentials", DMD_SEVERITY_ERROR, "config",
    N_("No sign-in details for SMTP AUTH"),
    N_("SMTP AUTH client submission needs the device to sign in with a Microsoft 365 mailbox, but the user name or the password (or OAuth token) is empty. Without them Microsoft 365 refuses the message at MAIL FROM with “530 5.7.57 Client not authenticated”. The technician fixes this at the device."),
    { { N_("Enter the mailbox’s email address as the user name, and its password, in the device’s email settings."),
        NULL, URL_GUIDE, TECH },
      { N_("If the device has no field for a user name and password, it cannot use SMTP AUTH: use Direct Send (recipients inside the organization only) or SMTP relay instead."),
        NULL, URL_GUIDE, ANYONE },
      FIX_END } },

  { "config-sender-mismatch", DMD_SEVERITY_WARNING, "config",
    N_("The sender address differs from the sign-in mailbox"),
    N_("With SMTP AUTH the device must send from the address it signs in with. To send from another address, the sign-in mailbox needs the Send As permission on that address; otherwise Microsoft 365 refuses the message with “5.7.60 Client does not have permissions to send as this sender”. The technician changes the sender, or the tenant admin grants the permission."),
    { { N_("Set the device’s sender (From) address to the sign-in mailbox’s address."),
        NULL, URL_GUIDE, TECH },
      { N_("Or give the sign-in mailbox the Send As permission on the sender address."),
        PS_SEND_AS, URL_GUIDE, ADMIN },
      { N_("If the device must send from many different addresses, use SMTP relay with a connector instead."),
        NULL, URL_GUIDE, ANYONE },
      FIX_END } },

  { "config-ip-literal-server", DMD_SEVERITY_WARNING, "config",
    N_("The server is an IP address"),
    N_("The device’s server field holds an IP address instead of a host name. Microsoft does not support an IP address for its endpoints: the addresses behind the names change, so the device may work today and stop later without warning, and TLS certificates name hosts, not addresses. The technician fixes this at the device."),
    { { N_("Enter the host name instead: smtp.office365.com for SMTP AUTH, or the organization’s MX endpoint (ending in mail.protection.outlook.com or mx.microsoft) for Direct Send and SMTP relay."),
        NULL, URL_GUIDE, TECH },
      FIX_FIND_MX,
      { N_("If the MX endpoint does not fit in the device’s server field, use SMTP AUTH with the short name smtp.office365.com."),
        NULL, URL_GUIDE, TECH },
      FIX_END } },

  { "config-port-465", DMD_SEVERITY_ERROR, "config",
    N_("Port 465 is not offered by Microsoft 365"),
    N_("Port 465 means TLS from the first byte (implicit TLS). Exchange Online does not offer it: connections to port 465 get no answer. Microsoft 365 takes mail on port 587 (recommended for SMTP AUTH) or 25, where the device starts in plain text and then switches to TLS with STARTTLS. A device that can only use port 465 does not support SMTP AUTH with Microsoft 365. The technician fixes this at the device."),
    { { N_("Set the port to 587 and the security to STARTTLS (some devices call it “TLS” or “TLS if available”)."),
        NULL, URL_GUIDE, TECH },
      { N_("If the device offers only port 465 or TLS from the start, update its firmware, or use Direct Send or SMTP relay on port 25."),
        NULL, URL_GUIDE, TECH },
      FIX_END } },

  { "config-implicit-tls", DMD_SEVERITY_ERROR, "config",
    N_("TLS from the start on a STARTTLS port"),
    N_("The security is set to TLS from the start (implicit TLS, often called SSL/TLS) on a port where Microsoft 365 expects STARTTLS. Microsoft 365 answers ports 587 and 25 in plain text and waits for the client to ask for TLS with STARTTLS, so the TLS handshake fails before any mail is sent. The technician fixes this at the device."),
    { { N_("Change the security setting to STARTTLS, with port 587 (or 25)."),
        NULL, URL_GUIDE, TECH },
      { N_("If the device has no STARTTLS setting, update its firmware, or use Direct Send or SMTP relay, where TLS is optional."),
        NULL, URL_GUIDE, TECH },
      FIX_END } },

  { "config-tls-disabled", DMD_SEVERITY_ERROR, "config",
    N_("TLS is off for SMTP AUTH"),
    N_("SMTP AUTH needs TLS: Microsoft 365 does not let a device sign in or send on an unencrypted connection and answers “451 5.7.3 STARTTLS is required to send mail”. This keeps the password off the network in clear text. The technician fixes this at the device."),
    { { N_("Turn on STARTTLS (TLS) in the device’s email settings, with port 587."),
        NULL, URL_GUIDE, TECH },
      { N_("The device must support TLS 1.2 or later; if it does not, update its firmware."),
        NULL, URL_GUIDE, TECH },
      FIX_END } },

  { "config-wrong-endpoint-direct-send", DMD_SEVERITY_ERROR, "config",
    N_("Direct Send or relay is pointed at the SMTP AUTH server"),
    N_("smtp.office365.com is the endpoint for SMTP AUTH client submission: it accepts mail only after a mailbox has signed in. A device that sends without signing in (Direct Send or SMTP relay) is refused there with “530 5.7.57 Client not authenticated to send anonymous mail during MAIL FROM”. Direct Send and SMTP relay must use the organization’s MX endpoint. The technician changes the server; the tenant admin knows the MX endpoint."),
    { FIX_FIND_MX,
      { N_("Enter that MX endpoint as the device’s server, with port 25."),
        NULL, URL_GUIDE, TECH },
      { N_("Or, if the device can sign in with a mailbox, keep smtp.office365.com and set it up for SMTP AUTH: port 587, STARTTLS, the mailbox’s user name and password."),
        NULL, URL_GUIDE, TECH },
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "config-wrong-endpoint-smtp-auth", DMD_SEVERITY_ERROR, "config",
    N_("SMTP AUTH is pointed at an MX endpoint"),
    N_("The server is an MX endpoint (ending in mail.protection.outlook.com or mx.microsoft). It receives mail for the organization and offers no sign-in, so a device set up to sign in cannot authenticate there. SMTP AUTH client submission uses smtp.office365.com. The technician fixes this at the device."),
    { { N_("Set the server to smtp.office365.com, the port to 587 and the security to STARTTLS."),
        NULL, URL_GUIDE, TECH },
      { N_("If the device should not sign in, choose Direct Send or SMTP relay instead: both use the MX endpoint on port 25."),
        NULL, URL_GUIDE, ANYONE },
      FIX_END } },

  { "config-external-recipient-direct-send", DMD_SEVERITY_WARNING, "config",
    N_("Direct Send to a recipient outside the organization"),
    N_("Direct Send delivers only to mailboxes hosted in the organization’s Microsoft 365 tenant. The recipient’s domain differs from the organization’s domain: unless it is also one of the tenant’s accepted domains, Microsoft 365 refuses it. This is by design, not a fault. The tenant admin knows the accepted domains."),
    { { N_("Check whether the recipient’s domain is one of the tenant’s accepted domains."),
        PS_ACCEPTED, NULL, ADMIN },
      { N_("To reach recipients outside the organization, use SMTP AUTH client submission or SMTP relay."),
        NULL, URL_GUIDE, ANYONE },
      { N_("To test Direct Send itself, use a recipient inside the organization."),
        NULL, NULL, TECH },
      FIX_END } },

  { "config-mx-host-too-long", DMD_SEVERITY_WARNING, "config",
    N_("The MX endpoint does not fit in the device’s server field"),
    N_("The organization’s MX endpoint is longer than the device’s server field. Do not type its IP address instead: Microsoft does not support that, and the device would stop sending when the address changes. The technician chooses another way at the device."),
    { { N_("Use SMTP AUTH client submission with the short server name smtp.office365.com (port 587, STARTTLS, a mailbox’s user name and password)."),
        NULL, URL_GUIDE, TECH },
      { N_("Or look for a firmware update that allows longer server names."),
        NULL, NULL, TECH },
      FIX_END } },

  { "config-basic-auth-retiring", DMD_SEVERITY_WARNING, "config",
    N_("Password sign-in (Basic authentication) for SMTP AUTH is being retired"),
    N_("The device signs in with a password (Basic authentication). Microsoft will turn Basic authentication for SMTP AUTH off by default for existing tenants at the end of December 2026; admins will still be able to turn it back on for a while, and Microsoft will announce the final removal date in the second half of 2027. Tenants created after December 2026 do not have it at all. The tenant admin should plan the move now."),
    { { N_("Move the device or application to OAuth (XOAUTH2) if it supports it."),
        NULL, URL_BASIC_AUTH_PLAN, TECH },
      { N_("For mail to recipients inside the organization only, High Volume Email (smtp.hve.mx.microsoft, port 587) is another way."),
        NULL, URL_BASIC_AUTH_PLAN, ADMIN },
      { N_("Or send through SMTP relay with a connector that trusts the site’s static public IP address."),
        NULL, URL_GUIDE, ADMIN },
      { N_("See which devices still sign in with Basic authentication in the SMTP AUTH clients report (Exchange admin center > Reports > Mail flow)."),
        NULL, URL_AUTH_REPORT, ADMIN },
      FIX_END } },

  { "config-insecure-auth-allowed", DMD_SEVERITY_WARNING, "config",
    N_("Credentials were allowed over an unprotected connection"),
    N_("For this run the tool was allowed to send the credentials over plain text or over TLS whose certificate was not verified (--allow-insecure-auth). Anyone on the network path could read them. Use this only for a test with a password you will change."),
    { { N_("Run the checks again without --allow-insecure-auth once the TLS problem is fixed."),
        NULL, NULL, ANYONE },
      { N_("If the password may have been seen by others, change it."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "test-message-not-sent", DMD_SEVERITY_INFO, "data",
    N_("No test message was sent"),
    N_("The checks stopped before sending a message (DATA). Some refusals only show when a real message is sent, such as a missing Send As permission or a tenant policy. A pass here means Microsoft 365 accepted the sender and the recipient, not that mail will be delivered."),
    { { N_("Run again with a real test message (“--send”, or “Send a real test message” in the wizard) to a mailbox you can check."),
        NULL, NULL, ANYONE },
      FIX_END } },

  /* ---------------------------------------------------------------------------------------- */
  /* DNS and network                                                                          */
  /* ---------------------------------------------------------------------------------------- */
  { "dns-resolve-failed", DMD_SEVERITY_ERROR, "dns",
    N_("The server name does not resolve"),
    N_("This computer could not look up the server’s name in DNS: the name has a typo, the network’s DNS filters it, or there is no internet access. The device on the same network most likely has the same problem. The technician checks the name; the network admin checks DNS."),
    { { N_("Check the spelling of the server name entered in the device."),
        NULL, NULL, TECH },
      { N_("Check that the device has a working DNS server and internet access."),
        NULL, NULL, TECH },
      { N_("Check whether DNS filtering on this network blocks Microsoft 365 names."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "dns-mx-not-microsoft", DMD_SEVERITY_WARNING, "dns",
    N_("The domain’s MX does not point to Microsoft 365"),
    N_("The domain’s MX record points somewhere other than Exchange Online: a third-party mail filter sits in front of Microsoft 365, or the domain entered is not the right one. Direct Send and SMTP relay must still go to the tenant’s own Microsoft 365 endpoint, not to this MX. The tenant admin knows that endpoint."),
    { FIX_FIND_MX,
      { N_("Check that the organization domain entered is the domain whose mailboxes are in Microsoft 365."),
        NULL, NULL, TECH },
      FIX_END } },

  { "network-port-blocked", DMD_SEVERITY_ERROR, "connect",
    N_("The port is blocked on this network"),
    N_("The connection to the server’s port got no answer in time: a firewall or the internet service provider (ISP) drops it. Port 25 is very often blocked by ISPs. The evidence names the port and whether the other port worked. The network admin or the ISP must open it."),
    { { N_("Allow outgoing connections to Microsoft 365 on this port in the firewall, or ask the ISP to unblock it."),
        NULL, URL_GUIDE, ADMIN },
      { N_("For SMTP AUTH, use port 587 if port 25 is blocked (or 25 if 587 is blocked)."),
        NULL, URL_GUIDE, TECH },
      { N_("If port 25 is blocked and cannot be opened, Direct Send and SMTP relay cannot work from this network: use SMTP AUTH on port 587."),
        NULL, URL_GUIDE, ANYONE },
      FIX_END } },

  { "network-connection-refused", DMD_SEVERITY_ERROR, "connect",
    N_("The connection was refused"),
    N_("Something on the path, or the host itself, actively rejected the connection to this port. Microsoft 365 does not refuse connections on ports 25 and 587, so a firewall, a proxy or a wrong server address is the likely cause."),
    { { N_("Check the server name and port entered in the device."),
        NULL, NULL, TECH },
      { N_("Check the firewall and any security software for a rule that rejects outgoing mail ports."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "network-smtp-inspection", DMD_SEVERITY_WARNING, "ehlo",
    N_("Something on the network alters the mail conversation"),
    N_("The server’s greeting or its list of capabilities looks rewritten (for example a masked greeting such as “220 ****”, or no STARTTLS on a Microsoft endpoint). A firewall’s SMTP inspection or an antivirus mail proxy sits in the path, and it often breaks STARTTLS. The network admin must change it."),
    { FIX_SMTP_INSPECTION,
      { N_("Run the checks again from this computer once it is changed."),
        NULL, NULL, TECH },
      FIX_END } },

  { "network-no-route", DMD_SEVERITY_ERROR, "connect",
    N_("No route to the server"),
    N_("This computer has no route to the server’s address: the network is unreachable, or there is no connectivity for the address family tried (IPv4 or IPv6)."),
    { { N_("Check that this computer and the device have internet access."),
        NULL, NULL, TECH },
      { N_("If only IPv6 (or only IPv4) fails, try the other address family; most devices use IPv4."),
        NULL, NULL, TECH },
      FIX_END } },

  { "smtp-timeout", DMD_SEVERITY_ERROR, "banner",
    N_("The server stopped answering"),
    N_("The connection was made, but the server did not answer within the step’s time limit. Microsoft 365 answers within seconds, so a stalled proxy or a half-open connection on the path is the usual cause."),
    { { N_("Run the checks again; if it happens again, try from another network to rule this one out."),
        NULL, NULL, TECH },
      { N_("Check firewalls and proxies that intercept mail traffic."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "smtp-protocol-error", DMD_SEVERITY_ERROR, "ehlo",
    N_("The server broke the mail protocol"),
    N_("The server’s answer did not follow the SMTP protocol: a malformed or oversized reply, a connection closed in the middle of the conversation, or plain text where TLS was due. Microsoft 365 does not do this, so something in between is likely interfering."),
    { { N_("Check for firewalls, proxies or antivirus software that intercept mail traffic."),
        NULL, NULL, ADMIN },
      { N_("Check that the server name really is a Microsoft 365 endpoint."),
        NULL, NULL, TECH },
      FIX_END } },

  { "smtp-utf8-not-offered", DMD_SEVERITY_ERROR, "mail-from",
    N_("The server does not take addresses with non-ASCII characters"),
    N_("The sender or the recipient address has characters outside ASCII (accented or Japanese letters, for example). Such an address needs the server’s SMTPUTF8 extension, and this server’s capabilities (its EHLO reply) do not list it, so it would refuse or garble the address. The tool did not send MAIL FROM. Microsoft 365 endpoints offer SMTPUTF8: when it is missing, something between this network and Microsoft 365 removed it, or the server is not a Microsoft 365 endpoint."),
    { { N_("Set the device’s sender and test recipient to addresses made of ASCII letters, digits and . - _ only (for example the mailbox’s primary address or an alias)."),
        NULL, NULL, TECH },
      { N_("Check that the server name really is a Microsoft 365 endpoint, and that no firewall or proxy rewrites the mail traffic."),
        NULL, NULL, ADMIN },
      FIX_END } },

  /* ---------------------------------------------------------------------------------------- */
  /* TLS                                                                                      */
  /* ---------------------------------------------------------------------------------------- */
  { "tls-starttls-not-offered", DMD_SEVERITY_ERROR, "starttls",
    N_("The server did not offer STARTTLS"),
    N_("The server’s list of capabilities (its EHLO reply) has no STARTTLS, so the connection cannot be encrypted. Microsoft 365 endpoints always offer it: something on the network removed it (SMTP inspection, or an attack that downgrades the connection). The tool sent no credentials."),
    { FIX_SMTP_INSPECTION,
      { N_("Run the checks from another network to confirm that this network is the cause."),
        NULL, NULL, TECH },
      FIX_END } },

  { "tls-starttls-injection", DMD_SEVERITY_ERROR, "starttls",
    N_("Data was injected before the TLS handshake"),
    N_("After the server agreed to start TLS, more data arrived before encryption began. This is a command-injection attack or a broken device in the path. The tool stopped the session; nothing was sent."),
    { { N_("Find the device on the path that intercepts mail traffic (firewall, proxy, antivirus) and fix or remove it."),
        NULL, NULL, ADMIN },
      { N_("Do not send credentials from this network until it is fixed."),
        NULL, NULL, ANYONE },
      FIX_END } },

  { "tls-handshake-failed", DMD_SEVERITY_ERROR, "tls",
    N_("The TLS handshake failed"),
    N_("The client and the server could not agree on an encrypted connection; the evidence gives the reason. Microsoft 365 accepts TLS 1.2 and later only, so an old device, or something on the path that intercepts TLS, is the usual cause."),
    { FIX_FIRMWARE_TLS12,
      { N_("Check whether a firewall or proxy on this network intercepts TLS."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "tls-certificate-invalid", DMD_SEVERITY_ERROR, "tls",
    N_("The server’s certificate is not valid"),
    N_("The certificate failed verification: it is expired or not yet valid, issued by an authority that is not trusted, or made out to another name. Microsoft 365’s certificates are valid, so on a Microsoft endpoint this means something on this network intercepts TLS. The tool sent no credentials."),
    { { N_("Check this computer’s date and time."),
        NULL, NULL, TECH },
      { N_("Exclude mail traffic to Microsoft 365 from TLS inspection on the firewall or proxy."),
        NULL, NULL, ADMIN },
      { N_("Check that the server name really is a Microsoft 365 endpoint."),
        NULL, NULL, TECH },
      FIX_END } },

  { "tls-legacy-version-refused", DMD_SEVERITY_ERROR, "tls-versions",
    N_("TLS 1.0 and 1.1 are refused"),
    N_("Microsoft 365 refuses TLS 1.0 and 1.1 for SMTP AUTH (“421 4.7.66 TLS 1.0 and 1.1 are not supported”) and needs TLS 1.2 or later. A device that can only use TLS 1.0 or 1.1 cannot sign in on the normal endpoint. The technician updates the device; only the tenant admin can open the stop-gap."),
    { FIX_FIRMWARE_TLS12,
      FIX_USE_DS_OR_RELAY_TLS,
      FIX_LEGACY_TLS_STOPGAP,
      FIX_END } },

  { "tls-version-matrix", DMD_SEVERITY_INFO, "tls-versions",
    N_("TLS versions accepted by the server"),
    N_("The TLS versions the server accepts, and the version and cipher negotiated, as tested from this computer. Microsoft 365 accepts TLS 1.2 and 1.3; the device must support at least TLS 1.2."),
    { { N_("Compare these with the TLS versions the device supports (its manual, or this tool’s capture mode)."),
        NULL, NULL, TECH },
      FIX_END } },

  { "smtp-starttls-required", DMD_SEVERITY_ERROR, "starttls",
    N_("STARTTLS is required"),
    N_("The server refused to go on without encryption (“451 5.7.3 STARTTLS is required to send mail”). Microsoft 365 requires TLS before a device signs in or sends on the SMTP AUTH endpoint. The technician fixes this at the device."),
    { { N_("Turn on STARTTLS (TLS) in the device’s email settings."),
        NULL, URL_GUIDE, TECH },
      { N_("If the device has no TLS setting, update its firmware, or use Direct Send or SMTP relay."),
        NULL, URL_GUIDE, TECH },
      FIX_END } },

  /* ---------------------------------------------------------------------------------------- */
  /* Authentication                                                                           */
  /* ---------------------------------------------------------------------------------------- */
  { "auth-required", DMD_SEVERITY_ERROR, "mail-from",
    N_("The device is not signed in"),
    N_("Microsoft 365 refused the sender because the client was not signed in (“530 5.7.57 Client not authenticated to send mail”). The SMTP AUTH endpoint smtp.office365.com accepts mail only after a mailbox has signed in. Either no user name and password are set in the device, or the device tried to sign in, failed, and went on to send anyway: many devices log only this line then. The sign-in fails when SMTP AUTH is off for the mailbox or the organization, when multi-factor authentication, security defaults or a Conditional Access policy block it, or when the device cannot use TLS 1.2. The technician checks the device; the tenant admin checks the settings."),
    { { N_("Enter the mailbox’s user name (its email address) and password in the device, and turn on SMTP authentication."),
        NULL, URL_GUIDE, TECH, DMD_FIX_IF_NO_SIGN_IN },
      { N_("If the device has a user name and password set, look in its log for the reply to its sign-in (AUTH) just before this one: it says why the sign-in failed. Running this tool’s checks with the same user name and password shows it too."),
        NULL, URL_GUIDE, TECH },
      FIX_CHECK_CAS,
      FIX_CHECK_TRANSPORT,
      FIX_ENABLE_CAS,
      FIX_MFA_SECDEFAULTS_CA,
      FIX_FIRMWARE_TLS12,
      { N_("If the device cannot sign in, use Direct Send or SMTP relay with the MX endpoint instead."),
        NULL, URL_GUIDE, ANYONE },
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "auth-failed", DMD_SEVERITY_ERROR, "auth",
    N_("Sign-in failed"),
    N_("Microsoft 365 did not accept the sign-in (“535 5.7.3 Authentication unsuccessful”). The user name or password may be wrong, SMTP AUTH may be off for the mailbox or the organization, multi-factor authentication, security defaults or a Conditional Access policy may block it, or the account may be blocked. Repeated failures can lock the account: find the cause before trying again. The technician checks the credentials; the tenant admin checks the settings."),
    { { N_("Check the user name (the full email address) and the password entered in the device."),
        NULL, URL_GUIDE, TECH },
      FIX_OWA,
      FIX_CHECK_CAS,
      FIX_CHECK_TRANSPORT,
      FIX_ENABLE_CAS,
      FIX_MFA_SECDEFAULTS_CA,
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "auth-smtp-auth-disabled-tenant", DMD_SEVERITY_ERROR, "auth",
    N_("SMTP AUTH is turned off for the organization"),
    N_("Microsoft 365 refused the sign-in because SMTP AUTH is off for the whole tenant (“SmtpClientAuthentication is disabled for the Tenant”). Organizations created after January 2020 have it off by default. The tenant admin can turn it on for this mailbox only, or for the organization."),
    { FIX_ENABLE_CAS,
      { N_("Or turn SMTP AUTH on for the whole organization (Exchange admin center > Settings > Mail flow: clear “Turn off SMTP AUTH protocol for your organization”)."),
        PS_SET_TRANSPORT, URL_SMTP_AUTH_OFF, ADMIN },
      FIX_CHECK_CAS,
      FIX_END } },

  { "auth-basic-auth-blocked", DMD_SEVERITY_ERROR, "auth",
    N_("Password sign-in (Basic authentication) is blocked"),
    N_("Microsoft 365 refused the password because Basic authentication is blocked for this sign-in (“basic authentication is disabled”, or “5.7.30 Basic authentication is not supported for Client Submission”). An authentication policy, a Conditional Access policy, security defaults, or Microsoft’s retirement of Basic authentication for SMTP AUTH blocks it. App passwords are Basic authentication too. The tenant admin decides what to change."),
    { { N_("Find what blocks it: an authentication policy with AllowBasicAuthSmtp turned off, security defaults, or a Conditional Access policy that blocks legacy authentication."),
        PS_AUTH_POLICY, URL_SMTP_AUTH_ENABLE, ADMIN },
      { N_("As a short-term fix, allow Basic authentication for SMTP for this mailbox while Microsoft still lets admins do so."),
        NULL, URL_BASIC_AUTH_PLAN, ADMIN },
      FIX_OTHER_OPTIONS,
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "auth-credentials-incorrect", DMD_SEVERITY_ERROR, "auth",
    N_("The user name or password is wrong"),
    N_("Microsoft 365 says the credentials are incorrect (“535 5.7.139 … the user credentials were incorrect”). Repeated failures can lock the account. The technician corrects them at the device."),
    { { N_("Enter the user name (the full email address) and the password again in the device."),
        NULL, URL_GUIDE, TECH },
      FIX_OWA,
      { N_("If the password was changed or has expired, set the new one in the device."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "auth-security-defaults", DMD_SEVERITY_ERROR, "auth",
    N_("Security defaults block the sign-in"),
    N_("The organization’s security defaults block legacy authentication, such as password sign-in for SMTP, so the account is locked out of SMTP AUTH. Turning security defaults off lowers the protection of the whole tenant: the tenant admin must weigh that risk."),
    { { N_("Prefer a way that keeps security defaults on: OAuth (XOAUTH2), High Volume Email, or SMTP relay with a connector."),
        NULL, URL_BASIC_AUTH_PLAN, ANYONE },
      { N_("Only if you understand and accept the risk: sign in to the Azure portal as a Security Administrator or Conditional Access Administrator, go to Microsoft Entra ID > Properties > Manage security defaults, set security defaults to No, and save."),
        NULL, URL_GUIDE, ADMIN },
      FIX_END } },

  { "auth-conditional-access", DMD_SEVERITY_ERROR, "auth",
    N_("A Conditional Access policy blocks the sign-in"),
    N_("The sign-in did not meet the organization’s criteria (“… did not meet the criteria to be authenticated successfully”): a Conditional Access policy or multi-factor authentication blocks legacy authentication for this mailbox. SMTP AUTH turned off for the mailbox can give the same reply. The tenant admin must change the policy or choose another way."),
    { { N_("In the Azure portal, go to Microsoft Entra ID > Security > Conditional Access, and in the policy that blocks legacy authentication exclude the device’s mailbox (Users and groups > Exclude), then save."),
        NULL, URL_GUIDE, ADMIN },
      { N_("If per-user multi-factor authentication is on for the mailbox, the device cannot complete it: in the Microsoft 365 admin center, Users > Active users > Multi-factor authentication, turn it off for this user only if you accept the risk."),
        NULL, URL_GUIDE, ADMIN },
      FIX_CHECK_CAS,
      FIX_OTHER_OPTIONS,
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "auth-federation-sts-unreachable", DMD_SEVERITY_ERROR, "auth",
    N_("The federation server cannot be reached"),
    N_("The mailbox signs in through a federation server that the organization runs on premises (for example AD FS). Microsoft 365 could not reach that federation server (STS), so it could not check the password. The tenant admin must fix the federation server."),
    { { N_("Check that the federation server is running and reachable from the internet at its published name."),
        NULL, URL_GUIDE, ADMIN },
      FIX_END } },

  { "auth-federation-sts-no-https", DMD_SEVERITY_ERROR, "auth",
    N_("The federation server does not accept secure connections"),
    N_("The mailbox signs in through a federation server that the organization runs on premises, and Microsoft 365 could not make the required secure (HTTPS) connection to it. Since TLS 1.0 and 1.1 were retired, the federation server must support TLS 1.2. The tenant admin must fix the federation server."),
    { { N_("Turn on TLS 1.2 on the federation server (for example AD FS) and check its HTTPS certificate."),
        NULL, URL_GUIDE, ADMIN },
      FIX_END } },

  { "auth-5-7-139-unknown", DMD_SEVERITY_ERROR, "auth",
    N_("Sign-in refused (5.7.139)"),
    N_("Microsoft 365 refused the sign-in with code 5.7.139 and a text this tool does not recognize (it may be translated). This code has several causes: SMTP AUTH off for the organization or the mailbox, Basic authentication blocked by a policy or by its retirement, a wrong user name or password, security defaults, a Conditional Access policy or multi-factor authentication, or a federation server that cannot be reached or does not support TLS 1.2. Check them in this order."),
    { FIX_CHECK_TRANSPORT,
      FIX_CHECK_CAS,
      FIX_OWA,
      { N_("Check the authentication policies for one that turns off Basic authentication for SMTP."),
        PS_AUTH_POLICY, URL_BASIC_AUTH_PLAN, ADMIN },
      { N_("Check security defaults and the Conditional Access policies that block legacy authentication (Azure portal > Microsoft Entra ID)."),
        NULL, URL_GUIDE, ADMIN },
      { N_("If the organization signs in through its own federation server (for example AD FS), check that it is reachable from the internet and supports TLS 1.2."),
        NULL, URL_GUIDE, ADMIN },
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "auth-mechanism-unsupported", DMD_SEVERITY_ERROR, "auth",
    N_("No usable sign-in method"),
    N_("The server offers no sign-in method that can be used here. After STARTTLS Microsoft 365 offers LOGIN and XOAUTH2 only, not PLAIN; before STARTTLS it offers none. A device that only knows PLAIN or CRAM-MD5 cannot sign in. The technician fixes this at the device."),
    { { N_("Turn on STARTTLS, so that the sign-in methods are offered."),
        NULL, URL_GUIDE, TECH },
      { N_("Set the device’s sign-in method to LOGIN (or OAuth), not PLAIN; update its firmware if it has no such setting."),
        NULL, NULL, TECH },
      { N_("Or use Direct Send or SMTP relay, which need no sign-in."),
        NULL, URL_GUIDE, ANYONE },
      FIX_END } },

  /* ---------------------------------------------------------------------------------------- */
  /* Device capture                                                                           */
  /* ---------------------------------------------------------------------------------------- */
  { "device-no-starttls", DMD_SEVERITY_ERROR, NULL,
    N_("The device does not use STARTTLS"),
    N_("The device never asked to start TLS. Microsoft 365 requires TLS for SMTP AUTH, so the device cannot sign in as it is set up. Direct Send, where TLS is optional, may work."),
    { { N_("Turn on STARTTLS (or “TLS”) in the device’s email settings and test again."),
        NULL, URL_GUIDE, TECH },
      { N_("If it has no such setting, update its firmware, or use Direct Send."),
        NULL, URL_GUIDE, TECH },
      FIX_END } },

  { "device-legacy-tls-only", DMD_SEVERITY_ERROR, NULL,
    N_("The device supports only TLS 1.0 or 1.1"),
    N_("The device offers TLS 1.0 or 1.1 at most. Microsoft 365 refuses these for SMTP AUTH and needs TLS 1.2 or later."),
    { FIX_FIRMWARE_TLS12,
      FIX_USE_DS_OR_RELAY_TLS,
      FIX_LEGACY_TLS_STOPGAP,
      FIX_END } },

  { "device-implicit-tls", DMD_SEVERITY_ERROR, NULL,
    N_("The device starts TLS at once"),
    N_("The device opened TLS straight away (implicit TLS, often called SSL) on a port that expects STARTTLS. Microsoft 365’s ports 587 and 25 start in plain text, so this fails."),
    { { N_("Set the device’s security to STARTTLS on port 587 (or 25)."),
        NULL, URL_GUIDE, TECH },
      FIX_END } },

  { "device-rejects-certificate", DMD_SEVERITY_INFO, NULL,
    N_("The device rejected this computer’s certificate"),
    N_("The device stopped the TLS handshake because it does not trust this computer’s test certificate. That is expected, and good: the device checks certificates. The TLS versions it offered still count."),
    { { N_("Keep the device’s firmware (and its certificate store) up to date, so that it trusts Microsoft 365’s certificates."),
        NULL, NULL, TECH },
      FIX_END } },

  { "device-no-auth", DMD_SEVERITY_ERROR, NULL,
    N_("The device sent mail without signing in"),
    N_("The device sent its message without authenticating. With SMTP AUTH, Microsoft 365 refuses this with “530 5.7.57”. Either no user name and password are set, or the device does not support SMTP authentication."),
    { { N_("Set the user name and password, and turn on SMTP authentication, in the device."),
        NULL, URL_GUIDE, TECH },
      { N_("If it cannot authenticate, use Direct Send or SMTP relay."),
        NULL, URL_GUIDE, ANYONE },
      FIX_END } },

  /* ---------------------------------------------------------------------------------------- */
  /* Sender, recipient, relay, Direct Send                                                    */
  /* ---------------------------------------------------------------------------------------- */
  { "sender-send-as-denied", DMD_SEVERITY_ERROR, "mail-from",
    N_("No permission to send as this sender"),
    N_("The sign-in mailbox may not send as the sender address (“5.7.60 … does not have permissions to send as this sender”, or “SendAsDenied”). With SMTP AUTH the device must send from its own address, unless the mailbox has the Send As permission on the other address. The From address inside the message counts too, so this refusal may come only after the message was sent (DATA). The technician changes the sender, or the tenant admin grants the permission."),
    { { N_("Set the device’s sender (From) address to the sign-in mailbox’s address."),
        NULL, URL_GUIDE, TECH, DMD_FIX_IF_SENDER_DIFFERS },
      { N_("Or give the sign-in mailbox the Send As permission on the sender address."),
        PS_SEND_AS, URL_GUIDE, ADMIN, DMD_FIX_IF_SENDER_DIFFERS },
      { N_("If the sender entered is the sign-in mailbox itself, the refused address is another one: check the From address the device writes into the message (some devices put the user’s own address or a reply address there). It must be the sign-in mailbox too, or an address the mailbox has the Send As permission on."),
        NULL, URL_GUIDE, TECH, DMD_FIX_IF_SENDER_IS_USER },
      { N_("If the device must send from many different addresses, use SMTP relay with a connector instead."),
        NULL, URL_GUIDE, ANYONE },
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "sender-blocked-outbound-spam", DMD_SEVERITY_ERROR, "mail-from",
    N_("The mailbox is blocked for sending spam"),
    N_("Microsoft 365 blocked the mailbox from sending (“550 5.1.8 Access denied, bad outbound sender”) because it sent what looked like spam. The account may have been taken over. The tenant admin must clean up and unblock it."),
    { { N_("Find out what sent the spam and secure the account: change the password and review its sign-ins."),
        NULL, NULL, ADMIN },
      { N_("Then remove the mailbox from the Restricted entities page of the Microsoft Defender portal (formerly the restricted users portal)."),
        "Get-BlockedSenderAddress -SenderAddress {user}", URL_GUIDE, ADMIN },
      FIX_END } },

  { "sender-submission-quota-exceeded", DMD_SEVERITY_ERROR, "data",
    N_("The mailbox exceeded its sending limit"),
    N_("Microsoft 365 refused the message because the sign-in mailbox exceeded its sending limit (“554 5.2.0 … SubmissionQuotaExceeded”, “the sender’s submission quota was exceeded”). A mailbox may send to 10,000 recipients a day and 30 messages a minute. The refusal is permanent (a 5xx reply): the device does not try again by itself, so the message is lost unless it is sent again once the limit has reset, within 24 hours. Sending that much by mistake can also mean that the account was taken over. The tenant admin checks the account."),
    { { N_("Send the refused messages again once the limit has reset; the device does not retry a permanent refusal."),
        NULL, URL_NDR_QUOTA, TECH },
      { N_("If nobody meant to send that much, check whether the account was taken over: change its password and review its sign-ins and inbox rules."),
        NULL, URL_NDR_QUOTA, ADMIN },
      { N_("If the device sends many messages, spread them out, or use SMTP relay, which is not bound by the mailbox limits."),
        NULL, URL_GUIDE, ADMIN },
      FIX_END } },

  { "sender-spam-abuse", DMD_SEVERITY_ERROR, "mail-from",
    N_("The sending account is banned for spam"),
    N_("Microsoft 365 banned the sending account because it detected spam from it (“550 5.7.501 Access denied, spam abuse detected”, or “5.7.502”/“5.7.503 Access denied, banned sender”). It typically hits new tenants that send from their initial onmicrosoft.com domain; the account may also have been taken over. Only Microsoft support can lift the ban, once the cause is fixed. The tenant admin must act."),
    { { N_("If the device sends from an address in the tenant’s initial onmicrosoft.com domain, add the organization’s own domain to the tenant and make the sign-in mailbox’s primary address one in that domain."),
        NULL, URL_ADD_DOMAIN, ADMIN },
      { N_("Find out what sent the spam and secure the account: change the password and review its sign-ins."),
        NULL, URL_NDR, ADMIN },
      { N_("Then ask Microsoft support to restore the account’s ability to send."),
        NULL, URL_NDR, ADMIN },
      FIX_END } },

  { "relay-tenant-attribution", DMD_SEVERITY_ERROR, "rcpt-to",
    N_("The relay connector does not recognize this sender"),
    N_("Microsoft 365 could not attribute the message to the tenant (“550 5.7.64 TenantAttribution; Relay Access Denied”) and refused to relay it. The inbound connector no longer matches: the site’s public IP address or the device’s certificate changed, or the sender’s domain is not one of the tenant’s domains. Compare the public IP address Microsoft sees (in the evidence) with the connector’s. The tenant admin updates the connector."),
    { { N_("List the inbound connectors with their IP addresses and certificate names."),
        PS_GET_CONNECTOR, URL_RELAY_DENIED, ADMIN },
      { N_("Add the site’s current public IP address to the connector (Exchange admin center > Mail flow > Connectors), and update the SPF record to match."),
        PS_ADD_CONN_IP, URL_RELAY_DENIED, ADMIN },
      { N_("Send from an address in one of the tenant’s domains."),
        NULL, URL_RELAY_DENIED, TECH },
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "relay-certificate-not-trusted", DMD_SEVERITY_ERROR, "rcpt-to",
    N_("The relay connector does not accept this certificate"),
    N_("Microsoft 365 refused to relay: the inbound connector that recognizes the device by its certificate (TlsSenderCertificateName) did not accept the certificate presented in the TLS handshake, or none was presented. A connector accepts a certificate only when its subject (CN) or one of its names (SAN) matches the domain the connector names, that domain is one of the organization’s accepted domains, a public certificate authority issued it, and it has not expired. The evidence shows which certificate was presented (subject, names, SHA-256). When this computer presented no certificate, the refusal is expected: a connector that trusts a certificate can only be tested with the device’s own certificate and key."),
    { { N_("List the inbound connectors with the certificate name each one expects and whether it requires TLS."),
        "Get-InboundConnector | Format-List Name,ConnectorType,TlsSenderCertificateName,RequireTls,RestrictDomainsToCertificate",
        URL_RELAY_DENIED, ADMIN },
      { N_("Set the connector’s certificate name to the domain in the device’s certificate (its subject or one of its names); that domain must be one of the organization’s accepted domains."),
        "Set-InboundConnector -Identity <ConnectorName> -TlsSenderCertificateName <CertificateDomain>",
        URL_CONNECTOR_NOTICE, ADMIN },
      { N_("Or give the device a certificate from a public certificate authority whose subject or names contain the connector’s domain, and renew it before it expires."),
        NULL, URL_CONNECTOR_NOTICE, TECH },
      { N_("Test with the device’s own certificate and key: the client certificate in the relay settings, or --client-cert and --client-key."),
        NULL, NULL, TECH },
      FIX_END } },

  { "relay-connector-ip-mismatch", DMD_SEVERITY_WARNING, "ehlo",
    N_("The public IP address is not the one on the connector"),
    N_("Microsoft 365 sees this network’s traffic coming from another public IP address (or address family) than the one said to be on the relay connector. SMTP relay will be refused once the device sends from here. The tenant admin updates the connector."),
    { { N_("Add the public IP address Microsoft sees to the connector (Exchange admin center > Mail flow > Connectors)."),
        PS_ADD_CONN_IP, URL_RELAY_DENIED, ADMIN },
      { N_("Update the domain’s SPF record to the same address."),
        "{spf-ip}", NULL, ADMIN },
      { N_("If the address is IPv6 and the connector has an IPv4 address, make the device (or this computer) send over IPv4."),
        NULL, NULL, TECH, DMD_FIX_IF_PUBLIC_IPV6 },
      FIX_END } },

  { "relay-wrong-region", DMD_SEVERITY_ERROR, "rcpt-to",
    N_("Mail sent to the wrong Microsoft 365 region"),
    N_("Microsoft 365 says the message reached the wrong region (“451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35”). The device uses an outdated MX or smart host name, or the connector lost track of the sending IP address. The tenant admin knows the current name."),
    { FIX_FIND_MX,
      { N_("Enter the current MX endpoint as the device’s server."),
        NULL, URL_GUIDE, TECH },
      { N_("Check the inbound connector’s IP addresses and certificate against the site’s current ones."),
        PS_GET_CONNECTOR, URL_RELAY_DENIED, ADMIN },
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "direct-send-rejected", DMD_SEVERITY_ERROR, "mail-from",
    N_("The organization rejects Direct Send"),
    N_("The tenant rejects Direct Send from sources it does not know (“550 5.7.68 TenantInboundAttribution; Direct Send not allowed”): its RejectDirectSend setting is on, and the device’s unauthenticated message, sent from an address in one of the tenant’s domains, matches no connector. Security baselines now ask for this setting, so expect it. The tenant admin decides how the device may send."),
    { { N_("Check the setting (True means Direct Send is rejected)."),
        PS_REJECT_DIRECT, URL_REJECT_DIRECT, ADMIN },
      { N_("Create an inbound connector from the organization’s email server that identifies the device by the site’s static public IP address (IPv4), so that its mail is no longer anonymous: this is SMTP relay. A connector can identify it by a certificate instead."),
        PS_NEW_CONN_IP, URL_SETUP_RELAY, ADMIN },
      { N_("Or move the device to SMTP AUTH client submission or High Volume Email."),
        NULL, URL_REJECT_DIRECT, ANYONE },
      FIX_RUN_DIAGNOSTIC,
      FIX_END } },

  { "recipient-not-found", DMD_SEVERITY_ERROR, "rcpt-to",
    N_("The recipient does not exist"),
    N_("Microsoft 365 rejected the recipient because the address does not exist in the tenant (“550 5.4.1 Recipient address rejected: Access denied”; directory-based edge blocking)."),
    { { N_("Check the recipient’s address for typos."),
        NULL, NULL, TECH },
      { N_("Check that the address exists as a mailbox, group or contact in the tenant."),
        "Get-Recipient -Identity {to}", URL_DBEB, ADMIN },
      FIX_END } },

  { "recipient-external-refused", DMD_SEVERITY_ERROR, "rcpt-to",
    N_("Direct Send cannot reach recipients outside the organization"),
    N_("The recipient outside the organization was refused. Direct Send delivers only to mailboxes in the organization’s own Microsoft 365 tenant; this is by design."),
    { { N_("To reach recipients outside the organization, use SMTP AUTH client submission or SMTP relay."),
        NULL, URL_GUIDE, ANYONE },
      { N_("To test Direct Send itself, use a recipient inside the organization."),
        NULL, NULL, TECH },
      FIX_END } },

  { "ip-banned", DMD_SEVERITY_ERROR, "mail-from",
    N_("The sending IP address is banned"),
    N_("Microsoft 365 refuses mail from this public IP address because spam came from it (“5.7.606 to 5.7.649 … banned sending IP”). It stays blocked until it is delisted. The tenant or network admin must act."),
    { { N_("Find and stop what sent spam from this network (an infected computer, an open relay)."),
        NULL, NULL, ADMIN },
      { N_("Then ask for the address to be removed on Microsoft’s delist portal."),
        NULL, URL_DELIST, ADMIN },
      FIX_END } },

  { "ip-banned-sender", DMD_SEVERITY_ERROR, "mail-from",
    N_("The sending IP address is banned and needs Microsoft to delist it"),
    N_("Microsoft 365 refuses mail from this public IP address (“550 5.7.511 Access denied, banned sender”). Unlike the bans with codes 5.7.606 to 5.7.649, Microsoft must investigate this one, and the delist portal cannot remove it. The tenant or network admin must act."),
    { { N_("Find and stop what sent spam from this network (an infected computer, an open relay)."),
        NULL, NULL, ADMIN },
      { N_("Then forward the bounce message to delist@microsoft.com with the full reply and the IP address; Microsoft answers within 48 hours."),
        NULL, URL_DELIST_BY_MAIL, ADMIN },
      FIX_END } },

  { "ip-low-reputation", DMD_SEVERITY_ERROR, "mail-from",
    N_("Traffic from this IP address is not accepted"),
    N_("Microsoft 365 does not accept traffic from this IP address because of its low reputation (“550 5.7.708 … traffic not accepted from this IP”). It often hits new or trial tenants. The tenant admin must act."),
    { { N_("Read Microsoft’s page on this error, check the tenant’s recent sending, and contact Microsoft support if the tenant is new."),
        NULL, URL_IP_REPUTATION, ADMIN },
      FIX_END } },

  { "tenant-sending-blocked", DMD_SEVERITY_ERROR, "mail-from",
    N_("The organization is blocked from sending"),
    N_("Microsoft 365 blocked outgoing mail for the whole organization because too much spam or bulk mail came from it (“550 5.7.705 Access denied, tenant has exceeded threshold”). Common causes are a compromised on-premises server, or a compromised admin account used to create connectors. Rarely, a subscription renewed after it had expired stays blocked until it is synchronized. The tenant admin must act."),
    { { N_("Find the cause and fix it: inbound connectors nobody created on purpose, compromised accounts, open relays."),
        PS_GET_CONNECTOR, URL_NDR_5_7_750, ADMIN },
      { N_("Then contact Microsoft support to lift the block, and explain the cause."),
        NULL, URL_NDR_5_7_750, ADMIN },
      FIX_END } },

  { "tenant-unregistered-domain", DMD_SEVERITY_ERROR, "mail-from",
    N_("The organization is blocked from sending from domains it has not added"),
    N_("Microsoft 365 blocked the organization from sending mail from domains that are not among its accepted domains (“550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains”), after too much such mail came from the tenant. A device or server that relays mail with a sender domain the tenant has not added causes it, and so does a compromised server or connector that sends spam. The tenant admin must fix it and then ask Microsoft support to lift the block."),
    { { N_("Add and verify every domain the devices send from as an accepted domain (Microsoft 365 admin center > Settings > Domains)."),
        PS_ACCEPTED, URL_NDR_5_7_750, ADMIN },
      { N_("Look for inbound connectors nobody created on purpose: attackers create connectors to send spam through the tenant."),
        PS_GET_CONNECTOR, URL_NDR_5_7_750, ADMIN },
      { N_("Then ask Microsoft support to unblock the tenant; be ready to show that the cause is fixed."),
        NULL, URL_NDR_5_7_750, ADMIN },
      FIX_END } },

  { "ip-on-dnsbl", DMD_SEVERITY_WARNING, "blocklist",
    N_("The public IP address is on a blocklist"),
    N_("This network’s public IP address is listed on a DNS blocklist (the evidence names the list and its answer). Microsoft 365 and other receivers may refuse mail from it or treat it as junk email."),
    { { N_("Find what caused the listing (an infected computer, an open relay) and fix it."),
        NULL, NULL, ADMIN },
      { N_("Then ask the blocklist’s operator to remove the address."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "spf-missing-record", DMD_SEVERITY_WARNING, "spf",
    N_("The domain has no SPF record"),
    N_("The sender’s domain publishes no SPF record, so receivers cannot tell that this network may send for it. Mail sent by Direct Send or SMTP relay may land in junk email. The tenant admin (or whoever runs the domain’s DNS) adds it."),
    { { N_("Publish an SPF record that lists the site’s static public IP address and Microsoft 365."),
        "v=spf1 {spf-ip} include:spf.protection.outlook.com -all", URL_GUIDE, ADMIN },
      FIX_END } },

  { "spf-missing-ip", DMD_SEVERITY_WARNING, "spf",
    N_("SPF does not cover this public IP address"),
    N_("The sender domain’s SPF record does not include the public IP address Microsoft 365 sees for this network (from its EHLO greeting). Mail sent by Direct Send or SMTP relay may land in junk email. This also happens when the public IP address changed. The tenant admin updates the record."),
    { { N_("Add this mechanism to the domain’s SPF record."),
        "{spf-ip}", URL_GUIDE, ADMIN },
      FIX_END } },

  { "spf-no-microsoft-include", DMD_SEVERITY_INFO, "spf",
    N_("SPF does not include Microsoft 365"),
    N_("The SPF record lacks include:spf.protection.outlook.com, which covers the mail Microsoft 365 sends for the domain."),
    { { N_("Add this mechanism to the domain’s SPF record."),
        "include:spf.protection.outlook.com", NULL, ADMIN },
      FIX_END } },

  { "spf-invalid", DMD_SEVERITY_WARNING, "spf",
    N_("The SPF record is invalid"),
    N_("The domain has more than one SPF record, a syntax error in it, or it needs more than 10 DNS lookups. Receivers then treat SPF as failed (a permanent error under RFC 7208)."),
    { { N_("Keep a single SPF record, fix its syntax, and use fewer include: mechanisms to stay within 10 lookups."),
        NULL, NULL, ADMIN },
      FIX_END } },

  { "blocklist-unknown", DMD_SEVERITY_INFO, "blocklist",
    N_("A blocklist could not be checked"),
    N_("A DNS blocklist could not be asked (it refuses public resolvers, or DNS failed). That does not mean the address is clean."),
    { { N_("Look the address up on the blocklist’s web site, or run the check from a network with its own DNS resolver."),
        NULL, NULL, ANYONE },
      FIX_END } },

  { "throttled", DMD_SEVERITY_WARNING, "mail-from",
    N_("The server is busy or a sending limit was reached"),
    N_("The server refused for now: it is busy, or a sending limit was exceeded. With SMTP AUTH one mailbox may send 30 messages a minute and to 10,000 recipients a day. The device should try again later by itself."),
    { { N_("Wait a few minutes and try again; do not send in a loop."),
        NULL, NULL, TECH },
      { N_("If the device sends many messages, spread them out, or use SMTP relay, which is not bound by the mailbox limits."),
        NULL, URL_GUIDE, ADMIN },
      FIX_END } },

  { "server-unexpected-reply", DMD_SEVERITY_WARNING, NULL,
    N_("Unexpected reply from the server"),
    N_("The server answered with a reply this tool does not know. It is shown as received, with the general meaning of its code."),
    { { N_("Search Microsoft’s documentation for the code and the text of the reply, or give them to the tenant admin."),
        NULL, URL_NDR, ANYONE },
      { N_("Or paste the code or the reply into Microsoft’s automated NDR diagnostic in the Microsoft 365 admin center (“Run Tests: NDR diagnostics”; it needs an admin account)."),
        NULL, URL_DIAG_NDR, ADMIN },
      { N_("Microsoft’s Remote Connectivity Analyzer can test the same endpoint from outside this network."),
        NULL, URL_RCA, ANYONE },
      FIX_END } },

  /* High Volume Email: an HVE account is a mail user, not a mailbox; the mailbox switches of
   * SMTP AUTH (Set-CASMailbox) do not apply to it. */
  { "config-hve-external-recipient", DMD_SEVERITY_ERROR, "config",
    N_("High Volume Email does not deliver outside the organization"),
    N_("The test recipient is outside the organization. Since June 2025 High Volume Email delivers only to recipients inside the organization: a message to an outside address is refused. The technician tests with a recipient inside the organization; mail for outside recipients needs another way."),
    { { N_("To test High Volume Email itself, use a recipient inside the organization."),
        NULL, NULL, TECH },
      { N_("For mail to recipients outside the organization, use SMTP relay through a connector that trusts the site’s static public IP address or a certificate."),
        NULL, URL_SETUP_RELAY, ADMIN },
      { N_("For large volumes of mail to outside recipients, Microsoft offers Azure Communication Services Email instead."),
        NULL, URL_HVE, ADMIN },
      FIX_END } },

  { "config-hve-legacy-endpoint", DMD_SEVERITY_WARNING, "config",
    N_("The device uses High Volume Email’s old endpoint"),
    N_("The server is smtp-hve.office365.com. It works today, but Microsoft recommends smtp.hve.mx.microsoft and will retire the old name. The technician changes it at the device."),
    { { N_("Set the device’s server to smtp.hve.mx.microsoft (port 587, STARTTLS)."),
        NULL, URL_HVE, TECH },
      FIX_END } },

  { "config-hve-basic-auth-until-2028", DMD_SEVERITY_INFO, "config",
    N_("High Volume Email keeps password sign-in until September 2028"),
    N_("The device signs in to High Volume Email with a password (Basic authentication). The end of Basic authentication for SMTP AUTH at the end of December 2026 does not apply here: High Volume Email keeps it until September 2028. Plan the move to OAuth before then."),
    { { N_("Before September 2028, move the device to OAuth if it supports it: an app registration with the Mail.Send application permission of Office 365 Exchange Online, allowed to use the HVE account."),
        "Add-HVEAppAccess -Identity {user} -AppIds {client-id}", URL_HVE, ADMIN },
      { N_("Or plan another way that needs no password, such as SMTP relay with a connector."),
        NULL, URL_SETUP_RELAY, ADMIN },
      FIX_END } },

  { "hve-auth-failed", DMD_SEVERITY_ERROR, "auth",
    N_("The HVE account could not sign in"),
    N_("High Volume Email refused the sign-in. Either the user name is not an HVE account (a mailbox cannot sign in here), the password is wrong, or the HVE account is disabled. The SMTP AUTH settings of mailboxes and of the organization do not apply to HVE accounts. Repeated failures can lock the account: fix the cause before running the checks again."),
    { { N_("Check that the user name is the HVE account’s address and that the password is the one set for that account."),
        NULL, URL_HVE, TECH },
      { N_("List the organization’s HVE accounts and check that this one is among them; if it is missing or disabled, create or enable it on the High Volume Email page of the Exchange admin center."),
        "Get-MailUser -HVEAccount", URL_HVE, ADMIN },
      { N_("If the device has a mailbox’s user name and password instead, use SMTP AUTH client submission (smtp.office365.com) with them."),
        NULL, URL_GUIDE, TECH },
      FIX_END } },

  { NULL }
};

/* The explanation of config-basic-auth-retiring once the default-off switch has happened. */
static const char *const basic_auth_after_explanation =
  N_("The device signs in with a password (Basic authentication). Basic authentication for SMTP AUTH has been turned off by default since the end of December 2026; admins can still turn it back on for now, and Microsoft will announce the final removal date in the second half of 2027. Tenants created after December 2026 do not have it at all. The tenant admin should plan the move now.");

/* The explanation of config-hve-basic-auth-until-2028 once September 2028 has passed. */
static const char *const hve_basic_auth_after_explanation =
  N_("The device signs in to High Volume Email with a password (Basic authentication), which High Volume Email kept only until September 2028. Move the device to OAuth, or to another way to send that needs no password.");

static const DmdCatalogDatedFact dated_facts[] = {
  { "smtp-auth-off-new-tenants-2020", "2020-01-01",
    N_("SMTP AUTH is off by default in organizations created after January 2020."),
    URL_SMTP_AUTH_ENABLE },
  { "legacy-tls-end", "2020-10-01",
    N_("Exchange Online stopped supporting TLS 1.0 and 1.1 in October 2020; SMTP AUTH clients that still need them must use the opt-in endpoint smtp-legacy.office365.com."),
    URL_LEGACY_TLS },
  { "reject-direct-send", "2025-09-01",
    N_("RejectDirectSend (Set-OrganizationConfig) is generally available since September 2025. It is off by default, but security baselines (CIS Microsoft 365 6.5.5, CISA MS.EXO.15.1) ask for it to be on."),
    URL_REJECT_DIRECT },
  { "hve-general-availability", "2026-03-31",
    N_("High Volume Email (smtp.hve.mx.microsoft, port 587) is generally available since 31 March 2026, for recipients inside the organization only."),
    "https://www.schneider.im/lu/microsoft-exchange-online-high-volume-email-available/" },
  { "mx-microsoft-new-domains", "2026-07-01",
    N_("From July 2026 new accepted domains get MX endpoints under mx.microsoft (…<letter>-v1.mx.microsoft) instead of mail.protection.outlook.com; existing domains keep theirs."),
    "https://mc.merill.net/message/MC1048624/compare/2025-08-06T19-56-26-147Z/2026-02-02T21-52-05-96Z" },
  { "basic-auth-smtp-default-off", DMD_CATALOG_BASIC_AUTH_OFF_DATE,
    N_("At the end of December 2026 Basic authentication for SMTP AUTH is turned off by default for existing tenants; admins can still turn it back on. Tenants created after December 2026 do not have it."),
    URL_BASIC_AUTH_PLAN },
  { "basic-auth-smtp-final-date", "2027-07-01",
    N_("In the second half of 2027 Microsoft will announce the final removal date of Basic authentication for SMTP AUTH."),
    URL_BASIC_AUTH_PLAN },
  { "hve-basic-auth-end", "2028-09-01",
    N_("High Volume Email keeps Basic authentication until September 2028."),
    "https://petri.com/high-volume-email-delivery-internal-recipients/" },
  { NULL }
};

const DmdCatalogEntry *
dmd_catalog_entries (void)
{
  static DmdCatalogEntry *all;

  /* One table: this file's and the OAuth entries (dmd-catalog-oauth.c), built once. */
  if (g_once_init_enter (&all))
    {
      guint n = 0, m = 0;
      DmdCatalogEntry *merged;

      while (entries[n].id != NULL)
        n++;
      while (_dmd_catalog_oauth_entries[m].id != NULL)
        m++;
      merged = g_new0 (DmdCatalogEntry, n + m + 1);
      memcpy (merged, entries, n * sizeof (DmdCatalogEntry));
      memcpy (merged + n, _dmd_catalog_oauth_entries, m * sizeof (DmdCatalogEntry));
      g_once_init_leave (&all, merged);
    }
  return all;
}

const DmdCatalogEntry *
dmd_catalog_lookup (const char *id)
{
  const DmdCatalogEntry *all = dmd_catalog_entries ();

  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; all[i].id != NULL; i++)
    if (g_str_equal (all[i].id, id))
      return &all[i];
  return NULL;
}

const DmdCatalogDatedFact *
dmd_catalog_dated_facts (void)
{
  return dated_facts;
}

gboolean
dmd_catalog_basic_auth_default_off (GDateTime *now)
{
  g_autoptr(GDateTime) clock = NULL;
  g_autoptr(GDateTime) switch_date = NULL;

  if (now == NULL)
    now = clock = g_date_time_new_now_utc ();
  /* "End of December 2026": from the first day after it, the switch has happened. */
  switch_date = g_date_time_new_utc (2027, 1, 1, 0, 0, 0);
  return g_date_time_compare (now, switch_date) >= 0;
}

gboolean
dmd_catalog_hve_basic_auth_ended (GDateTime *now)
{
  g_autoptr(GDateTime) clock = NULL;
  g_autoptr(GDateTime) end = NULL;

  if (now == NULL)
    now = clock = g_date_time_new_now_utc ();
  /* "Until September 2028": from the first day after it, it has ended. */
  end = g_date_time_new_utc (2028, 10, 1, 0, 0, 0);
  return g_date_time_compare (now, end) >= 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Findings                                                                                    */
/* ------------------------------------------------------------------------------------------ */

#define nonempty _dmd_catalog_nonempty

/* Whether the sender is the sign-in user: 1 yes, 0 no, -1 not known (a value is missing, or
 * the user name is not an address and cannot be compared). */
static int
sender_is_user (const DmdDeviceConfig *config)
{
  const char *from = config ? nonempty (config->from) : NULL;
  const char *user = config ? nonempty (config->username) : NULL;

  if (from == NULL || user == NULL || strchr (user, '@') == NULL)
    return -1;
  return g_ascii_strcasecmp (from, user) == 0;
}

/* Whether the public IP address Microsoft saw is IPv6: 1 yes, 0 no, -1 not known. */
static int
public_ip_is_ipv6 (const DmdCatalogFacts *facts)
{
  g_autoptr(GInetAddress) addr = NULL;

  if (facts == NULL || nonempty (facts->public_ip) == NULL ||
      (addr = g_inet_address_new_from_string (facts->public_ip)) == NULL)
    return -1;
  return g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6;
}

/* Whether the device sends through High Volume Email (the option, or its endpoint typed as
 * the server): 1 yes, 0 no, -1 not known. */
static int
server_is_hve (const DmdDeviceConfig *config)
{
  const char *server = config ? nonempty (dmd_device_config_get_server (config)) : NULL;

  if (config == NULL)
    return -1;
  if (config->option == DMD_OPTION_HVE)
    return 1;
  if (server == NULL)
    return -1;
  return dmd_host_is_hve_endpoint (server);
}

gboolean
_dmd_catalog_fix_applies (const DmdCatalogFix   *fix,
                          const DmdDeviceConfig *config,
                          const DmdCatalogFacts *facts)
{
  /* How the token came: a person (device code), the application (client credentials), or
   * not known (a token given, or nothing known). */
  DmdAuthMethod method = config != NULL ? config->auth_method : DMD_AUTH_METHOD_OAUTH_TOKEN;

  if ((fix->when & DMD_FIX_IF_DELEGATED) && method == DMD_AUTH_METHOD_OAUTH_APP)
    return FALSE;
  if ((fix->when & DMD_FIX_IF_APP_ONLY) && method == DMD_AUTH_METHOD_OAUTH_DEVICE)
    return FALSE;
  if ((fix->when & DMD_FIX_IF_TOKEN_GIVEN) && config != NULL &&
      dmd_device_config_gets_token (config))
    return FALSE;
  if ((fix->when & DMD_FIX_IF_HVE) && server_is_hve (config) == 0)
    return FALSE;
  if ((fix->when & DMD_FIX_IF_NOT_HVE) && server_is_hve (config) == 1)
    return FALSE;
  if ((fix->when & DMD_FIX_IF_PUBLIC_IPV6) && public_ip_is_ipv6 (facts) == 0)
    return FALSE;
  if ((fix->when & DMD_FIX_IF_SENDER_DIFFERS) && sender_is_user (config) == 1)
    return FALSE;
  if ((fix->when & DMD_FIX_IF_SENDER_IS_USER) && sender_is_user (config) == 0)
    return FALSE;
  if ((fix->when & DMD_FIX_IF_NO_SIGN_IN) && config != NULL && nonempty (config->username) &&
      (nonempty (config->password) || nonempty (config->oauth_token)))
    return FALSE;
  return TRUE;
}

/* The sender a Send As refusal names itself ("SendAsDenied; user@… not allowed to send as
 * sender@…"), when it is a valid address: it is the address that was refused, whatever the
 * settings say. */
static char *
refused_sender (const char *evidence)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) info = NULL;
  g_autofree char *address = NULL;

  if (evidence == NULL)
    return NULL;
  regex = g_regex_new ("not allowed to send as <?([^\\s;<>\\[\\]]+@[^\\s;<>\\[\\]]+?)>?[.;]?(?:\\s|$)",
                       G_REGEX_CASELESS | G_REGEX_RAW, 0, NULL);
  g_assert (regex != NULL);
  if (!g_regex_match (regex, evidence, 0, &info))
    return NULL;
  address = g_match_info_fetch (info, 1);
  if (!dmd_address_is_valid (address, NULL))
    return NULL;
  return g_steal_pointer (&address);
}

DmdFinding *
dmd_catalog_make_finding_full (const char             *id,
                               const DmdDeviceConfig  *config,
                               const DmdCatalogFacts  *facts,
                               const char             *evidence)
{
  const DmdCatalogEntry *entry;
  DmdFinding *finding;
  const char *explanation;
  g_autoptr(DmdDeviceConfig) named = NULL;
  g_autofree char *sender = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  entry = dmd_catalog_lookup (id);
  g_return_val_if_fail (entry != NULL, NULL);

  /* The values the reply names beat the settings: the fixes are for what was refused. */
  if (g_str_equal (entry->id, "sender-send-as-denied") && (sender = refused_sender (evidence)) != NULL)
    {
      named = config ? dmd_device_config_copy (config) : dmd_device_config_new (DMD_OPTION_SMTP_AUTH);
      g_free (named->from);
      named->from = g_steal_pointer (&sender);
      config = named;
    }

  finding = dmd_finding_new (entry->id, entry->severity);
  finding->check = g_strdup (entry->check);
  finding->title = g_strdup (_(entry->title));
  finding->evidence = g_strdup (evidence);

  explanation = _(entry->explanation);
  if (g_str_equal (entry->id, "config-basic-auth-retiring") &&
      dmd_catalog_basic_auth_default_off (config ? config->today : NULL))
    explanation = _(basic_auth_after_explanation);
  else if (g_str_equal (entry->id, "config-hve-basic-auth-until-2028") &&
           dmd_catalog_hve_basic_auth_ended (config ? config->today : NULL))
    explanation = _(hve_basic_auth_after_explanation);

  if (g_str_equal (entry->id, "server-unexpected-reply") && evidence != NULL)
    {
      g_autoptr(DmdReply) reply = dmd_catalog_parse_pasted_reply (evidence);
      g_autofree char *meaning = reply ? dmd_catalog_describe_reply_codes (reply) : NULL;

      if (meaning != NULL)
        finding->explanation = _dmd_catalog_join_sentences (explanation, meaning);
    }
  if (finding->explanation == NULL)
    finding->explanation = g_strdup (explanation);

  for (guint i = 0; i < DMD_CATALOG_MAX_FIXES && entry->fixes[i].text != NULL; i++)
    {
      const DmdCatalogFix *fix = &entry->fixes[i];
      g_autofree char *command = NULL;

      if (!_dmd_catalog_fix_applies (fix, config, facts))
        continue;
      command = _dmd_catalog_fill_command (fix->command, config, facts);

      dmd_finding_add_fix (finding, _(fix->text), command, fix->url, fix->audience);
    }

  return finding;
}

DmdFinding *
dmd_catalog_make_finding (const char             *id,
                          const DmdDeviceConfig  *config,
                          const char             *evidence)
{
  return dmd_catalog_make_finding_full (id, config, NULL, evidence);
}

const char *
_dmd_catalog_basic_auth_after_explanation (void)
{
  return basic_auth_after_explanation;
}
