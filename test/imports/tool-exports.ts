// A small export in each tool's shape, with the columns their exports carry (sources in
// docs/readers.md): subscribed, unsubscribed, bounced or complained, unconfirmed, and a bad address.
export const EXPORTS = {
  substack: [
    "email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at",
    "sub.free@example.com,false,,other,false,2021-03-02T10:00:00.000Z,",
    "sub.paid@example.com,true,2027-01-01T00:00:00.000Z,yearly,false,2022-05-01T08:30:00.000Z,2022-05-01T08:31:00.000Z",
    "sub.off@example.com,false,,other,true,2021-06-07T09:00:00.000Z,",
    "someone@deletion-request.substack.com,false,,other,false,2021-06-07T09:00:00.000Z,",
  ].join("\n"),
  mailchimp: [
    '"Email Address","First Name","Last Name",MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS',
    'mc.one@example.com,Ada,L,4,"2019-01-02 03:04:05",,"2019-01-02 03:05:00",,,,,,,,,"2024-01-01 00:00:00",111,aaa,,"""AI weekly"",""Security"""',
    'mc.two@example.com,Linus,T,2,,,"2020-02-03 04:05:06",,,,,,,,,"2024-01-01 00:00:00",112,aab,,',
  ].join("\r\n"),
  mailchimpUnsubscribed: [
    '"Email Address","First Name",MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,LEID,EUID,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER',
    'mc.left@example.com,Grace,3,,"2019-05-05 05:05:05",113,aac,"2023-07-08 09:10:11",Weekly,c1,"No longer interested",',
    'mc.spam@example.com,Spam,1,,"2019-05-05 05:05:05",114,aad,"2023-07-08 09:10:11",Weekly,c1,"Abuse report",',
  ].join("\r\n"),
  mailchimpCleaned: [
    '"Email Address",MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,LEID,EUID,CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID',
    'mc.gone@example.com,1,,"2019-05-05 05:05:05",115,aae,"2022-01-01 00:00:00",Weekly,c2',
  ].join("\r\n"),
  buttondown: [
    "id,email,creation_date,subscriber_type,tags,notes,unsubscription_date",
    'b1,bd.regular@example.com,2020-08-24T14:15:22Z,regular,"ai, cloud",,',
    "b2,bd.premium@example.com,2021-08-24T14:15:22Z,premium,,,",
    "b3,bd.new@example.com,2024-08-24T14:15:22Z,unactivated,,,",
    "b4,bd.left@example.com,2020-08-24T14:15:22Z,unsubscribed,,,2023-01-01T00:00:00Z",
    "b5,bd.bad@example.com,2020-08-24T14:15:22Z,undeliverable,,,",
    "b6,bd.spammy@example.com,2020-08-24T14:15:22Z,spammy,,,",
  ].join("\n"),
  kit: [
    "first_name,email_address,state,created_at,tags",
    "Kim,kit.active@example.com,active,2022-01-15T10:30:00Z,Security",
    "Kai,kit.unconfirmed@example.com,inactive,2022-01-16T10:30:00Z,",
    "Kat,kit.cancelled@example.com,cancelled,2022-01-17T10:30:00Z,",
    "Ken,kit.complained@example.com,complained,2022-01-18T10:30:00Z,",
  ].join("\n"),
  beehiiv: [
    "email,First Name,Last Name,status,tier,created_at,stripe_customer_id,Free Tier,Premium Tier,unsubscribed_at",
    "bh.active@example.com,Bee,,active,free,2023-03-24 10:23:10 UTC,,Yes,No,",
    "bh.inactive@example.com,,,inactive,free,2023-03-24 10:36:48 UTC,,Yes,No,2024-03-13 11:33:53 UTC",
    "bh.pending@example.com,,,pending,free,2023-04-11 14:02:46 UTC,,Yes,No,",
  ].join("\n"),
  ghost: [
    "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers",
    'g1,ghost.in@example.com,Ann Lee,,true,false,,2024-03-01T09:30:00.000Z,,"ai-readers,vip",',
    "g2,ghost.out@example.com,Bob,,false,false,,2024-03-02T09:30:00.000Z,,,",
  ].join("\n"),
  listmonk: [
    "uuid,email,name,attributes,status,created_at,updated_at",
    '5e1b0a3c-0000-4000-8000-000000000001,lm.enabled@example.com,Lee,"{""city"": ""Bengaluru""}",enabled,2024-01-02 15:04:05.123456 +0000 UTC,2024-01-03 15:04:05 +0000 UTC',
    "5e1b0a3c-0000-4000-8000-000000000002,lm.blocked@example.com,Bo,{},blocklisted,2024-01-02 15:04:05 +0000 UTC,2024-01-03 15:04:05 +0000 UTC",
  ].join("\n"),
  plain: ["email", "plain.one@example.com", "Plain.Two@Example.com ", "not an address"].join("\n"),
};
