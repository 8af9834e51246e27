"""Natural-sounding note and email texts about sales topics, each topic phrased many different ways.

A template is plain text with `[a|b|c]` alternatives and `{slot}` fields (names, competitors, amounts,
dates, products…). A text is assembled from an opening, one or two topic sentences, an optional next step
and a closing, so that the same topic appears in thousands of distinct wordings and keyword search alone
cannot find them all. The generator is seeded `random.Random`, hence deterministic.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from crm_core.demo_data.reference import ADDON_PRODUCTS, COMPETITORS, PRODUCTS

TOPICS = (
    "pricing_objection",
    "competitor_mention",
    "security_review",
    "integration_needs",
    "budget_freeze",
    "renewal_risk",
    "onboarding",
    "champion_left",
    "discount_request",
    "legal_contract",
    "product_feedback",
    "expansion_opportunity",
)

# Per topic: internal notes (rep's voice, about the customer), inbound emails (the customer's words),
# outbound emails (the rep's words) and subject lines of both directions.
TOPIC_TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "pricing_objection": {
        "note": (
            (
                "{first} [said|mentioned|made it clear] the [quote|proposal|number we sent] [came in well "
                "above|is way over|is significantly higher than] what they [had in mind|budgeted "
                "for|expected to spend]."
            ),
            (
                "[Pushback|Resistance|Hesitation] on [price|cost|the commercials]: they [feel|think] "
                "{product} is [too expensive|overpriced|hard to justify at this level] for [a team their "
                "size|what they need|the value they'd get]."
            ),
            (
                "[Sticker shock|Some sticker shock] when we [walked through|reviewed|shared] the "
                "[pricing|order form|numbers] - {first} [went quiet|asked if that was a typo|said finance "
                "will never sign off on {amount}]."
            ),
            (
                "They [like the product|were impressed by the demo|see the value] but [the cost|the per-seat "
                "fee|our list price] is [a real concern|the main blocker|giving them pause]."
            ),
            (
                "{first} [says we're|thinks we are] [roughly {pct} above|{pct} more than|well above] [other "
                "quotes they've received|comparable tools|what they pay today]."
            ),
            (
                "Concern raised about [total cost of ownership|the annual fee|the implementation fee on "
                "top of the subscription]; {first} [doesn't see|can't yet see] how it [pays for "
                "itself|gets ROI] in year one."
            ),
            (
                "The [economics|math] [don't work|doesn't add up] for {account} at {amount} a year - [they "
                "need|they'd want] something closer to {amount2}."
            ),
            (
                "[Value|ROI] conversation needed: {first} [keeps coming back to|is stuck on|is fixated on] "
                "[how much this costs|the price tag|the cost per user]."
            ),
            (
                "They [feel|said] [we're priced for enterprises|our tiers are built for bigger companies] "
                "and [it's a stretch|it's out of reach] for [a company their size|where they are today]."
            ),
            (
                "{first} called our proposal [pricey|expensive|rich] and asked [what justifies the "
                "premium|why it costs so much|what they'd get for that money]."
            ),
        ),
        "inbound": (
            (
                "[To be honest|Frankly|Honestly], the [number|price|quote] in your proposal is [higher "
                "than we expected|more than we can justify|well beyond what we planned for]."
            ),
            (
                "[We've reviewed|I went through|Our team looked at] the [pricing|order form|quote] and "
                "{amount} [per year|annually] is [a tough sell|hard to get approved|a lot] [internally|for "
                "us|with our CFO]."
            ),
            (
                "I [like|really like] what {product} does, but [the cost|the price point|the per-seat "
                "fee] is [giving us pause|a sticking point|the main concern on our side]."
            ),
            (
                "[Can you help me understand|Could you explain] [the cost|the pricing structure|how you "
                "arrived at that number]? [It feels steep|It seems expensive|It's above market] for [what we "
                "need|our use case|a team of our size]."
            ),
            (
                "Our [finance team|CFO|leadership] [pushed back on|questioned|flagged] the [total "
                "cost|annual fee|implementation fee] - they don't see the ROI [yet|in year one]."
            ),
            "The [numbers|economics] [just don't work|don't add up] for us at this level.",
            (
                "[It's a great product|We love the demo], but we simply can't [spend|justify] {amount} on [a "
                "tool like this|this right now|one more platform]."
            ),
        ),
        "outbound": (
            (
                "I [understand|hear you that|appreciate that] the [investment|cost|price] [feels|looks] "
                "[significant|steep|high] - [let me|I'd like to] [walk you through|put together] [an ROI "
                "model|a business case|the value breakdown] for {account}."
            ),
            (
                "[On the pricing concern|Regarding cost|About the price point you raised], [most "
                "customers|teams like yours] [recover the cost|see payback] within [six months|two "
                "quarters|the first year] [through time saved|from reduced manual work]."
            ),
            (
                "I [took another look at|revisited] the [proposal|quote] to make sure it [fits|matches] "
                "[your budget|what you actually need], and [trimmed|removed] [a few line items|the "
                "premium add-ons|seats you may not need yet]."
            ),
            (
                "If [the total|the annual figure] is [the sticking point|what's holding things up], [we "
                "could|one option is to] [phase the rollout|start with a smaller team|spread payments "
                "quarterly]."
            ),
            (
                "[I know|I realize] {amount} is a [big number|meaningful investment] - [here's|attached "
                "is] how [similar companies|other {industry} teams] [justified it|built the case] "
                "internally."
            ),
        ),
        "subject_in": (
            "Re: proposal",
            "Question about pricing",
            "Quote",
            "Cost concerns",
            "Re: order form",
            "Budget vs. your proposal",
            "Re: {product} quote",
        ),
        "subject_out": (
            "Re: pricing",
            "ROI breakdown for {account}",
            "Revised proposal",
            "Following up on cost questions",
            "Making the numbers work",
            ("Business case for {account}"),
        ),
    },
    "competitor_mention": {
        "note": (
            (
                "{first} [mentioned|said|let slip] they are [also evaluating|talking to|running a trial "
                "with|looking at] {competitor}."
            ),
            (
                "[They are|{account} is] [comparing us with|benchmarking us against|running a bake-off "
                "against] {competitor} [before deciding|this month|through the end of the quarter]."
            ),
            (
                "{competitor} [came in|showed up] [with a lower bid|with an aggressive offer|cheaper] and "
                "{first} [wants to know|asked] how we [differentiate|stack up|compare]."
            ),
            (
                "Their [incumbent|current vendor|existing tool] is {competitor}; [contract ends|they're "
                "locked in until] {date}."
            ),
            (
                "[Heard|Learned] that {competitor} [has been|is] [pitching|demoing to] their [IT "
                "team|CFO|VP] [directly|behind our back]."
            ),
            (
                "[Rival|Alternative] vendor in the mix: {competitor}. [Need battlecard|Send the comparison "
                "sheet|Prep a side-by-side] before next call."
            ),
            (
                "{first} [thinks|feels] {competitor}'s [reporting|UI|mobile app|integrations] [is "
                "stronger|looks slicker|is better], [but|although] [ours wins on|we're ahead on] "
                "[support|security|flexibility]."
            ),
            "[Shortlist|Final two|Down to two vendors]: us and {competitor}. Decision [expected|due] {date}.",
        ),
        "inbound": (
            (
                "[Full transparency|Just so you know|To be upfront], we're [also looking at|evaluating|in "
                "conversations with] {competitor}."
            ),
            (
                "{competitor} [offered|quoted|came back with] [a lower price|a similar package for less|a "
                "free pilot] - [how do you compare?|can you match that?|what makes you different?]"
            ),
            (
                "[Our team|Some people here|Our IT lead] [prefer|like] {competitor}'s "
                "[interface|reporting|integrations], so I need [a strong case|a clear reason|help "
                "explaining] [why we should go with you|to choose {product}]."
            ),
            (
                "We currently use {competitor} and [switching|migrating] [would be a big effort|feels "
                "risky], [so|but] [convince me|tell me why it's worth it]."
            ),
            (
                "[We've narrowed it down to|It's between] you and {competitor}; [a reference call|a customer "
                "story] [would help|could tip the balance]."
            ),
        ),
        "outbound": (
            (
                "[Since you're|As you're] [also evaluating|weighing] {competitor}, I [put "
                "together|attached|wanted to share] a [side-by-side comparison|short "
                "comparison|feature-by-feature view]."
            ),
            (
                "[Customers who switched from|Teams that moved off] {competitor} [usually mention|tell us "
                "about|point to] [faster onboarding|better support|lower admin overhead] [with|after moving "
                "to] {product}."
            ),
            (
                "[Happy to|I'd be glad to] [set up a call with|connect you with] a customer who "
                "[evaluated|compared] us against {competitor} [last year|recently]."
            ),
            (
                "On {competitor}'s [lower quote|offer], [keep in mind|it's worth noting] that "
                "[implementation|support|premium integrations] [are extra|are billed separately] [there|on "
                "their side]."
            ),
        ),
        "subject_in": (
            "Re: evaluation",
            "Comparison",
            "Other vendors",
            "Re: next steps",
            ("Question before we decide"),
        ),
        "subject_out": (
            "How we compare",
            "{product} vs. {competitor}",
            "Comparison for {account}",
            "Customer reference",
            "Re: evaluation",
        ),
    },
    "security_review": {
        "note": (
            (
                "{first} [needs|requires|is asking for] our [{cert}|security documentation|compliance "
                "paperwork] before [legal|procurement|IT] will [sign off|move forward]."
            ),
            (
                "[InfoSec|The security team|Their CISO] sent a [long|200-question|lengthy] "
                "[questionnaire|vendor assessment|due diligence form] - due {date}."
            ),
            (
                "[Blocked|Stuck|Waiting] on [security review|infosec approval|vendor risk assessment]; "
                "they want [a pen test summary|details on encryption at rest|SSO and SCIM support|data "
                "residency in the EU]."
            ),
            (
                "IT [asked about|has questions on|wants clarity about] [data retention|where data is hosted|"
                "subprocessors|access controls] [before a pilot|ahead of the rollout]."
            ),
            (
                "Vendor risk [process|team] at {account} [takes|usually takes] [4-6 weeks|a month|two "
                "weeks]; [started|kicked it off] {date}."
            ),
            (
                "[Compliance|Regulatory scrutiny] [is a big deal|matters a lot] for them ([{cert}|audit "
                "logs|SOC reports]) - loop in our security engineer."
            ),
            (
                "Their [auditors|risk committee] [want proof|need evidence] that [customer data is "
                "encrypted|access is logged|we run regular penetration tests] before approving us."
            ),
        ),
        "inbound": (
            (
                "Before we can [proceed|move forward|sign], our [security team|InfoSec group|IT department] "
                "[needs|requires] [your {cert}|a completed security questionnaire|your latest pen test "
                "results]."
            ),
            (
                "Could you [fill out|complete|send back] the [attached vendor assessment|security "
                "questionnaire|risk form] [by {date}|this week|at your earliest convenience]?"
            ),
            (
                "[Our CISO|Our IT lead|Compliance] [has questions about|wants to understand] [how you "
                "encrypt data|where our data will be stored|your access controls and audit logging|SSO "
                "support]."
            ),
            (
                "[We can't|We're not able to] [onboard|approve] [any new vendor|a new tool] "
                "[without|until we have] [a DPA|your {cert}|a signed data processing agreement]."
            ),
        ),
        "outbound": (
            (
                "[Attached is|Please find attached|I've attached] our [{cert}|security whitepaper|completed "
                "questionnaire] [for your InfoSec team|for the vendor review|as requested]."
            ),
            (
                "Our [security engineer|trust team|head of security] [can join|is happy to join] a call [to "
                "walk through|to answer] [any remaining questions|encryption, SSO and data residency]."
            ),
            (
                "[For the vendor assessment|Regarding the risk review], [data is encrypted at rest and in "
                "transit|we support SAML SSO and SCIM|we host in {region} data centers]."
            ),
            (
                "I [submitted|sent over] the [questionnaire|assessment] [responses|answers] - let me know if "
                "[IT|the security team] needs anything else."
            ),
        ),
        "subject_in": (
            "Security questionnaire",
            "Vendor assessment",
            "Re: IT review",
            "Compliance documents",
            "InfoSec requirements",
        ),
        "subject_out": (
            "{cert}",
            "Security documentation",
            "Re: vendor assessment",
            ("Questionnaire responses"),
            "Trust & security overview",
        ),
    },
    "integration_needs": {
        "note": (
            (
                "{first} [needs|requires|asked whether we have] [a native|a two-way|an out-of-the-box] "
                "[integration|sync|connector] with {integration}."
            ),
            (
                "[Key requirement|Must-have|Deal-breaker]: data has to [flow|sync] [between {product} and "
                "{integration}|into {integration}] [in real time|nightly|automatically]."
            ),
            (
                "Their [engineering team|IT team|ops lead] [wants|asked for] [API documentation|webhooks|a "
                "sandbox] to [connect|hook up] {integration}."
            ),
            (
                "They [run|live in|rely heavily on] {integration} [for everything|day to day] and won't "
                "[adopt|consider] anything that doesn't [plug into|connect to] it."
            ),
            (
                "[Question|Open item] about [migrating|importing] historical data from {integration} [- "
                "about|, roughly] {n} thousand records."
            ),
            (
                "[Tech fit|Technical fit] [depends on|hinges on] whether we can [push|write back] "
                "[deals|activities|invoices] to {integration}."
            ),
        ),
        "inbound": (
            (
                "Does {product} [connect with|integrate with|sync to] {integration}? [That's critical for "
                "us|We can't work without it|Our whole workflow runs there]."
            ),
            (
                "[Our developers|My engineering team|IT] would like [API docs|access to a sandbox|details on "
                "your webhooks] so they can [wire it up to|connect it with] {integration}."
            ),
            (
                "[How hard would it be|What would it take] to [import|bring over] [our data|about {n} "
                "thousand records] from {integration}?"
            ),
            (
                "We need [two-way sync|bi-directional sync|real-time updates] with {integration}; [is that "
                "supported|can you confirm that's possible]?"
            ),
        ),
        "outbound": (
            (
                "[Good news|Yes] - we have a [native|pre-built|certified] {integration} "
                "[connector|integration] [that syncs|syncing] [both ways|every few minutes]."
            ),
            (
                "[I've shared|Here's|Attached is] [our API documentation|the integration guide|a link to the "
                "sandbox] so your [developers|team] can [test|try] the {integration} [connection|sync]."
            ),
            (
                "Our [solutions engineer|integration specialist] can [scope|walk through] the {integration} "
                "[setup|data migration] [with your IT team|on a short call]."
            ),
        ),
        "subject_in": (
            "{integration} question",
            "API access",
            "Re: technical requirements",
            "Connecting our systems",
            "Data migration",
        ),
        "subject_out": (
            "{integration} integration",
            "API docs",
            "Re: technical questions",
            "Connector details for {account}",
        ),
    },
    "budget_freeze": {
        "note": (
            (
                "{first} [says|told me|confirmed] [all new spend|discretionary spending|every purchase over "
                "$10k] is [frozen|on hold|paused] until {date}."
            ),
            (
                "[Budget|Spending] [freeze|lockdown] at {account} [after a tough quarter|following "
                "layoffs|pending the reorg] - [deal pushed|pushing close] to {date}."
            ),
            (
                "[No money|No budget|Zero budget] this [quarter|fiscal year|half]; [the CFO|finance] "
                "[cut|slashed|clawed back] [the line item|their tooling budget]."
            ),
            (
                "[Leadership|The board] [put a hold on|paused|postponed] [all new vendor contracts|new "
                "software purchases|non-essential projects]."
            ),
            (
                "{first} is [still keen|still a champion|supportive] but [can't get funding|has no budget "
                "approved] [before|until] {date}."
            ),
            (
                "[Headcount cuts|Cost cutting|Belt-tightening] at {account}; [every contract|all spend] now "
                "[needs|goes through] [CFO approval|a review board] and ours [didn't make the cut|is parked]."
            ),
        ),
        "inbound": (
            (
                "[Unfortunately|Bad news on my side|I have to be honest]: [our budget has been frozen|we've "
                "had a spending freeze|finance has paused all new purchases] [until|through] {date}."
            ),
            (
                "[After the reorg|Given the current climate|After a rough quarter], [leadership|our CFO] "
                "[isn't approving|won't sign off on] [new tools|new spend] right now."
            ),
            (
                "We [have to|need to] [put this on hold|pause the evaluation|push this out] - [there's no "
                "money left in|we've exhausted] this year's budget."
            ),
            (
                "[Can we revisit|Let's reconnect|Can we pick this up again] [in {date}|next fiscal year|once "
                "budgets reset]? [Funding|Money] is [tight|locked] until then."
            ),
        ),
        "outbound": (
            (
                "[Totally understand|Understood|Thanks for the heads-up] about the [freeze|budget "
                "hold|spending pause] - [would it help|would it make sense] to [lock in today's "
                "pricing|defer billing to {date}|start with a small pilot]?"
            ),
            (
                "[When budgets reopen|Once the freeze lifts|Ahead of next fiscal year], I'd like to [be "
                "ready with|have] a [business case|proposal] [your CFO can approve|that fits the new "
                "budget]."
            ),
            (
                "[We could|One option is to] [start invoicing in|push the start date to] {date} so [it lands "
                "in the next budget cycle|it doesn't hit this year's spend]."
            ),
        ),
        "subject_in": (
            "Putting things on hold",
            "Update from our side",
            "Re: timeline",
            "Budget update",
            "Pause",
        ),
        "subject_out": (
            "Re: timing",
            "Options while budgets are on hold",
            "Deferred billing idea",
            ("Checking in"),
        ),
    },
    "renewal_risk": {
        "note": (
            (
                "[Renewal at risk|Churn risk|Red flag on renewal]: {first} [said|hinted] they [might not "
                "renew|are reconsidering|may let the contract lapse] in {date}."
            ),
            (
                "Usage [has dropped|is down|fell] [about {pct}|sharply|by {pct}] [since last quarter|over "
                "the last two months|after their team shrank]; [renewal looks shaky|concerned about "
                "renewal]."
            ),
            (
                "{first} [is unhappy with|complained about] [support response times|the last outage|missing "
                "features] and [mentioned|brought up] [shopping around|looking at alternatives] before [the "
                "contract ends|renewal]."
            ),
            (
                "They are [only using|logging into] [a fraction of their seats|{n} of {seats} seats|the "
                "product rarely] - [renewal|the upcoming term] [is in question|won't be automatic]."
            ),
            (
                "[Exec sponsor|Economic buyer] [is questioning|wants to review] [the value|whether it's "
                "worth it] before [renewing|signing another year]."
            ),
            (
                "[Health score|Account health] [dropped to red|is trending down] for {account}; [might "
                "churn|could walk away] at the end of the term."
            ),
        ),
        "inbound": (
            (
                "[As our contract comes up|Ahead of our renewal|With renewal approaching] in {date}, [we're "
                "reviewing|I have to review|leadership is reassessing] whether [it still makes sense|we keep "
                "{product}|to continue]."
            ),
            (
                "[Adoption|Usage] [on our side|across the team] has been [low|disappointing|lower than "
                "hoped], so [renewing|another year] is [hard to justify|not a given]."
            ),
            (
                "[We've had|There have been] [too many outages|slow support tickets|issues that never got "
                "fixed], and [people are asking|my boss is asking] [whether we should switch|if we should "
                "renew]."
            ),
            (
                "[Please don't auto-renew|We'd like to discuss before anything renews|Can we talk before the "
                "term rolls over]? [We're not sure we'll continue|Continuing isn't a given]."
            ),
        ),
        "outbound": (
            (
                "[Ahead of your renewal|As your renewal date approaches|Before your term ends in {date}], "
                "I'd like to [review usage|walk through results|set up a success plan] with you."
            ),
            (
                "I [noticed|saw] [usage has dipped|logins are down|several seats are inactive] - [can "
                "we|let's] [find time|set up a session] to [re-train the team|fix what's not "
                "working|re-onboard new users]?"
            ),
            (
                "[I want to make sure|It's important to us that] {account} [is getting value|sees results] "
                "[before|ahead of] [renewal|the next term] - [what would need to change|what's missing] for "
                "you?"
            ),
        ),
        "subject_in": (
            "Upcoming renewal",
            "Re: contract renewal",
            "Before we renew",
            "Concerns",
            "Re: account review",
        ),
        "subject_out": (
            "Your renewal in {date}",
            "Success plan for {account}",
            "Checking in before renewal",
            "Usage review",
        ),
    },
    "onboarding": {
        "note": (
            (
                "Kickoff [done|held|completed] with {first}: [admins trained|SSO configured|data import "
                "started], [go-live|launch] [targeted for|planned for] {date}."
            ),
            (
                "[Onboarding|Implementation|Rollout] [is on track|slipped a week|is going well]; [{n} "
                "users|the first team|sales ops] [invited|activated|trained] so far."
            ),
            (
                "{first} [asked for|wants] [more training sessions|a train-the-trainer session|admin "
                "training] [for new hires|for the wider team|before go-live]."
            ),
            (
                "[Setup|Configuration] [questions|issues]: [user provisioning|permission sets|custom "
                "fields|the data import] - [escalated to|handed to] our implementation team."
            ),
            (
                "[First 30 days|Week two of the rollout|Early adoption]: [logins look healthy|adoption is "
                "slow|the team is ramping up]; [schedule|book] a [check-in|health check] for {date}."
            ),
        ),
        "inbound": (
            (
                "[Thanks for the kickoff|Great kickoff today]! [Could you send|Can you share] [the training "
                "recordings|the admin guide|next steps for setup]?"
            ),
            (
                "[We're trying to|I'm trying to] [set up|configure|import] [our users|permissions|our "
                "historical data] and [got stuck|hit an error|need help]."
            ),
            (
                "[When can we schedule|Can we book] [training|an onboarding session|a walkthrough] for [the "
                "rest of the team|our new hires|{n} more users]?"
            ),
            (
                "[Who is our|Can you introduce us to our] [implementation|onboarding|customer success] "
                "contact? We'd like to [get started|go live] by {date}."
            ),
        ),
        "outbound": (
            (
                "Welcome aboard! [Here is|Attached is|I've shared] [the onboarding plan|your implementation "
                "timeline|the setup checklist] [for {account}|for your team]."
            ),
            (
                "[Let's schedule|I'd like to book] [the kickoff|your admin training|a setup session] - [does "
                "{day} work|how about {day}]?"
            ),
            (
                "[Your onboarding specialist|Our implementation lead] will [help with|handle] [SSO|the data "
                "import|user provisioning] and [get you live|get the team up and running] [within a few "
                "weeks|by {date}]."
            ),
        ),
        "subject_in": (
            "Setup help",
            "Re: kickoff",
            "Training",
            "Getting started",
            ("Question on configuration"),
        ),
        "subject_out": (
            "Welcome to {product}!",
            "Onboarding plan for {account}",
            "Kickoff next steps",
            "Your implementation timeline",
        ),
    },
    "champion_left": {
        "note": (
            (
                "Our [champion|main sponsor|key contact] {person} [has left|left|is leaving] {account} "
                "[as of|effective] {date}; [need to|must] [rebuild the relationship|find a new "
                "sponsor|re-engage]."
            ),
            (
                "{person} [moved on|departed|resigned] - {first} [is taking over|inherited the project|is "
                "now the point of contact] [but|and] [isn't familiar with us|needs to be brought up to "
                "speed]."
            ),
            (
                "[Lost our|No more] [internal advocate|exec sponsor|champion]: {person} [joined another "
                "company|was let go in the reorg|retired]."
            ),
            (
                "[Org change|Reorg|Leadership change] at {account}: [a new VP|a new head of ops|a new CIO] "
                "[replaced|took over from] {person}, [priorities may shift|may revisit vendors]."
            ),
            (
                "{person}, who [drove|sponsored|pushed for] the project, [is gone|no longer works there]; "
                "[nobody|no one senior] [owns it|is driving it] now."
            ),
        ),
        "inbound": (
            (
                "[Just a heads-up|I wanted to let you know|FYI] - {person} [has left the company|is no "
                "longer with us|moved to a different role], and I'll be [your new point of contact|taking "
                "over this project|handling things going forward]."
            ),
            (
                "[Since|Now that] {person} [left|is gone], [I'm catching up on|I need to understand] [where "
                "things stand|what was agreed|our contract with you]."
            ),
            (
                "I'm [new in the role|the new {title}|replacing {person}] - [could we set up|can we "
                "schedule] [an intro call|a quick overview]?"
            ),
        ),
        "outbound": (
            (
                "[I heard|I understand] {person} [has moved on|left {account}] - [I'd love to|I'd like to] "
                "[introduce myself|get you up to speed|make sure nothing falls through the cracks]."
            ),
            (
                "[Welcome to your new role!|Congratulations on the new role.] [{person} and I had been "
                "working on|We'd been partnering with {person} on] [the rollout|the renewal|expanding to "
                "new teams] - [happy to|glad to] [walk you through it|recap where things stand]."
            ),
        ),
        "subject_in": ("Change of contact", "Introduction", "Re: {person}", "New point of contact"),
        "subject_out": (
            "Introduction and next steps",
            "Picking up where {person} left off",
            ("Welcome - quick intro"),
            "Catching up",
        ),
    },
    "discount_request": {
        "note": (
            (
                "{first} [asked for|wants|is pushing for] [a {pct} discount|{pct} off|a better price] [to "
                "sign this quarter|for a multi-year commitment|before procurement will approve]."
            ),
            (
                "Procurement [requested|is demanding|came back asking for] [additional concessions|a lower "
                "rate|a price reduction] - [target|they want] {amount2}."
            ),
            (
                "They'll [sign|commit] [today|by {date}|this month] if we [can do|match|offer] {pct} [off "
                "list|off the first year|discount]."
            ),
            (
                "[Asked|Negotiating] for [free onboarding|waived implementation fees|two months free|a "
                "nonprofit rate] in [exchange for|return for] [a case study|a two-year term|paying upfront]."
            ),
            (
                "{first}'s [boss|VP|CFO] [wants to see|needs] [a better number|a reduced quote|some movement "
                "on price] before signing."
            ),
            (
                "[Deal desk|Approval] needed: customer [wants|requested] [{pct} off|a {pct} reduction], "
                "bringing it to {amount2}."
            ),
        ),
        "inbound": (
            (
                "[Is there any room to move on|Could you sharpen your pencil on|Can you do better on] [the "
                "price|the quote|the total]? [We're hoping for|Something like] {pct} [would get this "
                "approved|off would make it easy]."
            ),
            (
                "If you can [offer|give us] [a discount|{pct} off|a better rate], [we can|I'm confident "
                "we'll] [sign by {date}|close this month|get it through procurement]."
            ),
            (
                "[Our procurement team|Purchasing] [requires|always asks for] [a discount|a concession|a "
                "price reduction] on [new contracts|first-year agreements|multi-year deals]."
            ),
            (
                "[Would you consider|Any chance of] [waiving the implementation fee|a multi-year discount|a "
                "few months free] [if we commit to|in exchange for] [two years|paying annually upfront]?"
            ),
        ),
        "outbound": (
            (
                "[I spoke with|I checked with|After talking to] [my manager|our deal desk|finance], [we can "
                "offer|we're able to extend|I got approval for] {pct} [off the first year|on a two-year "
                "term|if signed by {date}]."
            ),
            (
                "[We can't go lower on|Our list price is firm for] [the subscription|the per-seat price], "
                "but [we can include|I can add] [onboarding at no cost|extra training|two additional "
                "months]."
            ),
            (
                "[Here's|Attached is] [a revised quote|an updated proposal] [reflecting|with] [the {pct} "
                "reduction|the multi-year discount|the concession we discussed]."
            ),
        ),
        "subject_in": (
            "Re: quote",
            "Any flexibility?",
            "Request before signing",
            "Before we sign",
            "Request",
        ),
        "subject_out": (
            "Revised quote for {account}",
            "Updated proposal",
            "Re: any flexibility?",
            "An offer for {account}",
        ),
    },
    "legal_contract": {
        "note": (
            (
                "[Contract|MSA|Order form] [is with|sitting with|under review by] their [legal team|counsel|"
                "procurement]; [redlines|comments|markup] [expected|due] {date}."
            ),
            "Legal [pushed back on|redlined|wants changes to] the {legal_item}.",
            (
                "[Negotiating|Working through] [terms|the paperwork|contract language]: [the "
                "{legal_item}|liability caps|indemnification|payment terms] [still open|is the last open "
                "point]."
            ),
            (
                "{first} [says|confirmed] [signature|e-signature|countersignature] [is pending|awaits] "
                "[their GC|general counsel|the CFO] - [should be signed|target signing] by {date}."
            ),
            (
                "They [require|insist on] [their own paper|their vendor agreement|a DPA] instead of our "
                "[standard MSA|template]."
            ),
        ),
        "inbound": (
            (
                "[Our legal team|Our counsel|Legal] [has reviewed|went through|marked up] the "
                "[MSA|agreement|order form] - [see attached redlines|a few changes attached|comments in the "
                "doc]."
            ),
            (
                "[We need|We'll need] [changes to|to discuss] the {legal_item} before [we can "
                "sign|signature|legal approves]."
            ),
            (
                "[Can you send|Please send] [the final version|a clean copy|the DocuSign] [for signature|so "
                "our CFO can sign]?"
            ),
            (
                "[Our standard terms require|We require] [net 60 payment terms|a mutual NDA|our data "
                "processing addendum|a termination for convenience clause]."
            ),
        ),
        "outbound": (
            (
                "[Attached is|Here's|I've sent over] [the updated MSA|a revised agreement|the contract] "
                "[with your redlines accepted|addressing legal's comments|for signature]."
            ),
            (
                "[Our legal team|Our counsel] [accepted most of the changes|agreed to the edits on the "
                "{legal_item}|has one comment on the {legal_item}] - [can we|let's] [hop on a call|close it "
                "out] [with both legal teams|this week]?"
            ),
            (
                "[The DocuSign is out|I've sent the signature request|The order form is ready to sign] - "
                "[let me know|tell me] if [anything is missing|your GC needs anything else]."
            ),
        ),
        "subject_in": (
            "Redlines",
            "Re: MSA",
            "Contract comments",
            "Agreement - legal review",
            ("Re: order form"),
        ),
        "subject_out": ("Updated agreement", "Contract for signature", "Re: redlines", "MSA - revised"),
    },
    "product_feedback": {
        "note": (
            (
                "{first} [gave feedback|shared thoughts|had opinions] on [the dashboard|reporting|the mobile "
                "app|search|the UI]: [too cluttered|slow to load|missing filters|hard to navigate]."
            ),
            (
                "[Feature request|Request|Wishlist item]: [bulk editing|custom reports|a Gantt view|offline "
                "mode|better export to Excel] - [logged|filed] it with product."
            ),
            (
                "[Users love|The team likes|Positive feedback on] {feature} but [complain about|struggle "
                "with] [{feature2}|the learning curve|notifications]."
            ),
            (
                "[Bug report|Issue|Complaint]: [exports time out|the sync duplicated records|reports show "
                "wrong totals] [for large accounts|since the last release|intermittently]."
            ),
            (
                "[Roadmap|Product] [question|interest]: they [asked|want to know] when [{feature}|AI "
                "summaries|the new reporting module] [ships|will be available]."
            ),
        ),
        "inbound": (
            (
                "[Quick feedback|Some feedback|A few thoughts] on [the latest release|{feature}|the new "
                "dashboard]: [it's great|love it], but [it's a bit slow|we're missing {feature2}|the "
                "layout is confusing]."
            ),
            (
                "[Would it be possible to|Is there a way to|Any plans to] [add|support] [bulk updates|custom "
                "fields in reports|export to CSV|{feature}]?"
            ),
            (
                "[We noticed|Our users reported|Heads up:] [the app is slow|some reports are off|a bug in "
                "{feature}] [since last week|after the update]."
            ),
            (
                "[The team really likes|Everyone here loves] {feature} - [nice work|great job]. [One "
                "suggestion|A small request]: [{feature2}|dark mode|keyboard shortcuts]."
            ),
        ),
        "outbound": (
            (
                "[Thanks for the feedback|Thank you for flagging this|Appreciate you sharing this] on "
                "{feature} - I've [passed it to|shared it with|logged it with] our product team."
            ),
            (
                "[Good news|FYI]: [{feature}|the improvement you asked for] is [on the roadmap|shipping in "
                "{date}|now in beta] - [want early access|happy to enable it for you]?"
            ),
            (
                "Our [product manager|support team] [would love to|wants to] [hear more|set up a quick call] "
                "about [your experience with|the issue in] {feature}."
            ),
        ),
        "subject_in": (
            "Feedback",
            "Feature request",
            "Issue with {feature}",
            "Suggestion",
            ("Re: latest release"),
        ),
        "subject_out": (
            "Re: your feedback",
            "{feature} update",
            "Thanks for the suggestion",
            ("Roadmap update"),
        ),
    },
    "expansion_opportunity": {
        "note": (
            (
                "{first} [wants to|is looking to|plans to] [roll {product} out to|expand into|add] [the "
                "{dept} team|another {n} users|their {region} office]."
            ),
            (
                "[Upsell|Expansion|Cross-sell] [opportunity|potential]: they [asked about|are interested in] "
                "[{product2}|the premium tier|the analytics add-on]."
            ),
            (
                "[Seat count|Usage] [is growing|keeps growing|is maxed out] - [need|they need] [{n} more "
                "licenses|more seats|a bigger plan] [before|by] {date}."
            ),
            (
                "[Other departments|The {dept} group|Their parent company] [saw the results|heard about it] "
                "and [want in|want the same setup|asked for a demo]."
            ),
            (
                "{account} [is growing fast|just raised a round|opened a new office] - [good moment|right "
                "time] to [pitch|propose] [the next tier|{product2}|a company-wide license]."
            ),
        ),
        "inbound": (
            (
                "[We'd like to|We're planning to|We want to] [add|bring on] [another {n} users|the {dept} "
                "team|our {region} office] - [what would that cost|how do we do that|can you send a quote]?"
            ),
            (
                "[Our {dept} team|Another department] [saw what we've done|heard great things] and [wants to "
                "use|is asking about] {product} [too|as well]."
            ),
            (
                "[Can you tell me more about|I'm interested in|Could we get a demo of] [{product2}|the "
                "premium tier|the advanced analytics package]?"
            ),
        ),
        "outbound": (
            (
                "[Since usage has grown|With your team growing|Now that you're close to your seat limit], "
                "[it may make sense|it might be time] to [move to the next tier|add {n} more seats|look "
                "at {product2}]."
            ),
            (
                "[Following up on your interest in|As promised, here's info on] {product2} - [happy to|I "
                "can] [set up a demo|put together a quote] for [the {dept} team|your wider organization]."
            ),
            (
                "[I heard|I understand] the {dept} team [is interested|wants to join] - [shall we|should we] "
                "[scope an expansion|extend your agreement|co-term the new seats]?"
            ),
        ),
        "subject_in": ("Adding users", "More seats", "Another team interested", "Upgrade question"),
        "subject_out": (
            "Expanding {product} at {account}",
            "Quote for additional seats",
            ("{product2} overview"),
            "Next tier options",
        ),
    },
}

NOTE_OPENINGS = (
    "Call with {first}.",
    "Met with {first} ({title}).",
    "Update on {account}:",
    ("Quick note after today's meeting."),
    "Spoke with {first} today.",
    "Sync with {first} and team.",
    "Follow-up from the demo.",
    ("Notes from the call:"),
    "Caught up with {first} on the phone.",
    "Recap - {first}, {account}.",
    "Video call with {first}.",
    "Coffee chat with {first} in {city}.",
)
NOTE_NEXT_STEPS = (
    "Next step: [send a recap|follow up {weekday}|book a call next week].",
    "[Will|I'll] follow up [{weekday}|next week|after they regroup internally].",
    "[Action|To do]: [update the opportunity|share notes with the team|set a reminder for {date}].",
    "[Following up|Checking back] [by email|with a call] on {weekday}.",
)
GENERIC_NOTES = (
    (
        "[Left a voicemail|Called, no answer|Tried reaching {first}], [will try again|following up] [on "
        "{weekday}|next week|tomorrow]."
    ),
    (
        "[Intro call|Discovery call|Quick sync] with {first} ({title}). [They're|The team is] [about {n} "
        "people|growing fast|based in {city}]; [today the process is manual|they use spreadsheets today|they "
        "want better visibility]."
    ),
    (
        "[Scheduled|Booked|Set up] [a demo|a follow-up|a meeting] for {day}[ with {first}| with {first} and "
        "their team|]."
    ),
    "[Sent|Shared|Emailed] [the deck|a case study|the demo recording] [to|with] {first}.",
    (
        "{first} [was out of office|is traveling|is on vacation] [until {date}|this week] - "
        "[reconnect|follow up] after."
    ),
    (
        "[Good conversation|Positive call|Friendly chat] with {first}; [nothing new|timeline unchanged|next "
        "step is a deeper demo]."
    ),
    (
        "{first} [asked for|wants] [a recording of the demo|the slides|a one-pager] to share "
        "[internally|with their manager]."
    ),
    (
        "[Confirmed|Re-confirmed] [attendees|the agenda] for [Thursday's|next week's|the upcoming] "
        "session with {account}."
    ),
)

OUT_GREETINGS = ("Hi {first},", "Hello {first},", "{first},", "Hi {first} -", "Good morning {first},")
OUT_OPENERS = (
    "Hope you're having a good week.",
    "Thanks for your time on {weekday}.",
    ("Great speaking with you earlier."),
    "Thanks again for the call.",
    "Hope all is well in {city}.",
    "Following up on our conversation.",
)
OUT_NEXT_STEPS = (
    "[Would|Does] {weekday} at {clock} work for a quick call?",
    "Let me know [what you think|if you have questions|how you'd like to proceed].",
    "[Happy to|Glad to] [jump on a call|walk through it together] [this week|whenever suits you].",
    "I'll [follow up|check in] [on {weekday}|next week] unless I hear otherwise.",
)
OUT_CLOSINGS = (
    "Best,\n{rep}",
    "Thanks,\n{rep}",
    "Cheers,\n{rep}",
    "Kind regards,\n{rep}",
    ("Best regards,\n{rep}"),
    "Talk soon,\n{rep}",
)
IN_GREETINGS = ("Hi {rep},", "Hello {rep},", "{rep},", "Hi {rep} -", "Dear {rep},")
IN_NEXT_STEPS = (
    "[Let me know|Please let me know] [your thoughts|what's possible|how to proceed].",
    "[Can we|Could we] [talk|discuss] [on {weekday}|this week|next week]?",
    "[Looking forward to hearing from you.|Thanks in advance.|Appreciate your help.]",
)
IN_CLOSINGS = (
    "Thanks,\n{first}",
    "Best,\n{first}",
    "Regards,\n{first} {last}",
    "Cheers,\n{first}",
    "Best regards,\n{first} {last}\n{title}, {account}",
    "Thank you,\n{first}",
)

# Outbound emails about no particular topic: (subjects, bodies).
GENERIC_OUTBOUND: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        ("Quick question", "Idea for {account}", "{account} + {product}", "Introduction"),
        (
            (
                "[I'm reaching out because|I noticed that|I wanted to connect since] {account} [is "
                "growing|is hiring|recently expanded] [in {city}|its {dept} team|this year]. [Teams like "
                "yours use|Companies like {account} use] {product} to [save time on reporting|keep their "
                "pipeline organized|automate follow-ups]. [Open to a quick chat?|Worth a 15-minute "
                "call?|Would you be open to a short call next week?]"
            ),
        ),
    ),
    (
        ("Following up", "Re: quick question", "Circling back", "Checking in"),
        (
            (
                "[Just following up on|Circling back on|Bumping] my [last note|previous email]. [Would "
                "{weekday} work for a quick call?|Any interest in a short demo?|Is this on your radar "
                "this quarter?]"
            ),
            (
                "[I know things get busy|I know your inbox is full], so [I'll keep this short|just a "
                "quick nudge]: [does a short walkthrough of {product} make sense|are you the right person "
                "to talk to about this]?"
            ),
        ),
    ),
    (
        ("You're invited: {webinar}", "Webinar: {webinar}", "Save your seat - {webinar}"),
        (
            (
                "[Join us for|You're invited to|Save your seat for] [our webinar|a live session] on "
                "{webinar} on {day}. [We'll share practical tips|Our experts will walk through real "
                "examples] [and answer questions live|from teams like {account}]."
            ),
        ),
    ),
    (
        ("Recap and next steps", "Thanks for today", "Slides from our call", "Recording from today"),
        (
            (
                "[Thanks for your time today|Great speaking with you|Thanks for the call] - [as promised, "
                "here's|attached is|here is] [the recording|the deck|a short summary]. [Next step|Our "
                "next step] is [a deeper demo with your team|a working session on {weekday}|to loop in "
                "your colleagues]."
            ),
        ),
    ),
    (
        ("How a {industry} team saved time", "Customer story", "Thought you'd find this useful"),
        (
            (
                "[Thought you'd find this useful|Sharing a quick story]: [a {industry} company|a team "
                "similar to {account}] [cut reporting time by {pct}|doubled its qualified "
                "pipeline|shortened onboarding by weeks] with {product}."
            ),
        ),
    ),
    (
        ("Meeting on {weekday}", "Re: meeting time", "Calendar invite"),
        (
            (
                "[Does {weekday} at {clock} work|Could we move our call to {weekday}|Confirming our "
                "meeting on {weekday} at {clock}]? [I've sent a calendar invite.|I'll send an invite.|Let "
                "me know if another time is better.]"
            ),
        ),
    ),
)
GENERIC_INBOUND = (
    (
        "[Thanks, {weekday} works for me.|Sounds good - see you {weekday}.|Got it, thanks!] [I'll invite my "
        "colleague.|Talk soon.|]"
    ),
    (
        "[Sorry for the slow reply|Apologies for the delay], [I was out last week|it's been a busy week]. "
        "[Can we talk {weekday}?|Let's find time next week.]"
    ),
    (
        "[Thanks for the info|Appreciate the deck|Thanks for sending this over]. [I'll share it with the "
        "team|Let me review and get back to you|Will take a look this week]."
    ),
    "[Could you resend the invite?|I can't find the meeting link.|Can we push our call by 30 minutes?]",
    (
        "[Thanks for reaching out.|Appreciate the note.] [Now isn't a great time, but|I'm not the right "
        "person, but] [try me again in a few months|my colleague in {dept} may be interested]."
    ),
)
GENERIC_INBOUND_SUBJECTS = (
    "Re: meeting",
    "Re: follow up",
    "Quick question",
    "Re: call",
    "Re: intro",
    "Hello",
)

CERTS = (
    "SOC 2 Type II report",
    "ISO 27001 certificate",
    "HIPAA documentation",
    ("GDPR data processing agreement"),
    "penetration test summary",
    "SIG Lite questionnaire",
    "CAIQ",
)
INTEGRATIONS = (
    "Salesforce",
    "HubSpot",
    "Snowflake",
    "SAP",
    "NetSuite",
    "Slack",
    "Microsoft Teams",
    "Okta",
    "Workday",
    "Zendesk",
    "Jira",
    "QuickBooks",
    "Azure AD",
    "BigQuery",
    "Shopify",
    "Marketo",
    "Outlook",
)
LEGAL_ITEMS = (
    "limitation of liability clause",
    "indemnification language",
    "auto-renewal clause",
    "payment terms",
    "data processing addendum",
    "governing law section",
    "termination for convenience clause",
    "SLA credits",
)
FEATURES = (
    "the forecasting dashboard",
    "custom reports",
    "the mobile app",
    "email sequences",
    ("the Outlook add-in"),
    "workflow automation",
    "territory management",
    "the API",
    "bulk import",
    "the activity timeline",
    "lead routing",
    "the Slack integration",
)
DEPARTMENTS = ("marketing", "customer success", "finance", "operations", "support", "sales", "product", "HR")
OFFICE_REGIONS = (
    "EMEA",
    "APAC",
    "Canadian",
    "UK",
    "German",
    "Australian",
    "Latin American",
    "East Coast",
    "West Coast",
)
HOSTING_REGIONS = ("EU", "US", "UK", "Australian")
WEBINARS = (
    "forecasting accuracy",
    "building a repeatable sales process",
    "pipeline hygiene",
    "AI for sales teams",
    "customer retention playbooks",
    "quarter-end planning",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
CLOCK_TIMES = ("9am", "9:30am", "10am", "11am", "1pm", "2pm", "2:30pm", "3pm", "4pm")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
PERCENTS = ("5%", "8%", "10%", "12%", "15%", "18%", "20%", "25%", "30%")
FORMER_FIRST = (
    "Dana",
    "Chris",
    "Alex",
    "Sam",
    "Jordan",
    "Pat",
    "Robin",
    "Jesse",
    "Kim",
    "Lee",
    "Drew",
    "Quinn",
    "Maria",
    "David",
    "Anika",
    "Tom",
)
FORMER_LAST = (
    "Whitaker",
    "Hoffman",
    "Delgado",
    "Brennan",
    "Okoro",
    "Lindqvist",
    "Moreau",
    "Sato",
    "Kowalski",
    "Fitzgerald",
    "Ibrahim",
    "Novak",
)

_GROUP = re.compile(r"\[([^\[\]]*)\]")


def _compile(template: str) -> tuple[str | tuple[str, ...], ...]:
    parts: list[str | tuple[str, ...]] = []
    position = 0
    for match in _GROUP.finditer(template):
        parts.append(template[position : match.start()])
        parts.append(tuple(match.group(1).split("|")))
        position = match.end()
    parts.append(template[position:])
    return tuple(p for p in parts if p != "")


def _compile_all(templates: tuple[str, ...]) -> tuple[tuple[str | tuple[str, ...], ...], ...]:
    return tuple(_compile(t) for t in templates)


_TOPIC_COMPILED = {
    topic: {voice: _compile_all(templates) for voice, templates in voices.items()}
    for topic, voices in TOPIC_TEXTS.items()
}
_C = {
    name: _compile_all(value)
    for name, value in {
        "note_open": NOTE_OPENINGS,
        "note_next": NOTE_NEXT_STEPS,
        "note_generic": GENERIC_NOTES,
        "out_greet": OUT_GREETINGS,
        "out_open": OUT_OPENERS,
        "out_next": OUT_NEXT_STEPS,
        "out_close": OUT_CLOSINGS,
        "in_greet": IN_GREETINGS,
        "in_next": IN_NEXT_STEPS,
        "in_close": IN_CLOSINGS,
        "in_generic": GENERIC_INBOUND,
        "in_generic_subject": GENERIC_INBOUND_SUBJECTS,
    }.items()
}
_GENERIC_OUT = tuple((_compile_all(subjects), _compile_all(bodies)) for subjects, bodies in GENERIC_OUTBOUND)


@dataclass(frozen=True)
class TextContext:
    """What a text may mention: the contact, their company, the rep and the deal."""

    first: str
    last: str
    title: str
    account: str | None
    city: str
    industry: str | None
    rep: str
    month: int  # 1..12, month of the text's date (dates mentioned lie in the months after it)
    competitor: str | None = None
    amount: int | None = None  # USD


class _Slots(dict[str, str]):
    """Slot values, drawn only when a template asks for them."""

    def __init__(self, rng: random.Random, ctx: TextContext, account_fallback: str) -> None:
        super().__init__()
        self.rng = rng
        self.ctx = ctx
        self.account_fallback = account_fallback

    def __missing__(self, key: str) -> str:
        value = self._draw(key)
        self[key] = value
        return value

    def _pick(self, values: tuple[str, ...]) -> str:
        return values[int(self.rng.random() * len(values))]

    def _draw(self, key: str) -> str:
        ctx, rng = self.ctx, self.rng
        if key == "first":
            return ctx.first
        if key == "last":
            return ctx.last
        if key == "title":
            return ctx.title
        if key == "account":
            return ctx.account or self.account_fallback
        if key == "city":
            return ctx.city
        if key == "rep":
            return ctx.rep
        if key == "industry":
            return (ctx.industry or "B2B").lower() if ctx.industry != "Software" else "software"
        if key == "competitor":
            return ctx.competitor or self._pick(COMPETITORS)
        if key == "amount":
            base = ctx.amount or int(rng.choice((18, 24, 36, 48, 60, 75, 90, 120, 150))) * 1000
            return f"${base:,}"
        if key == "amount2":
            base = ctx.amount or 50_000
            return f"${int(base * rng.uniform(0.6, 0.85)) // 500 * 500:,}"
        if key == "pct":
            return self._pick(PERCENTS)
        if key == "n":
            return str(rng.choice((5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200)))
        if key == "seats":
            return str(rng.choice((50, 75, 100, 150, 200, 250, 300)))
        if key == "person":
            return f"{self._pick(FORMER_FIRST)} {self._pick(FORMER_LAST)}"
        if key == "cert":
            return self._pick(CERTS)
        if key == "integration":
            return self._pick(INTEGRATIONS)
        if key == "legal_item":
            return self._pick(LEGAL_ITEMS)
        if key == "feature":
            return self._pick(FEATURES)
        if key == "feature2":
            feature = self["feature"]
            return self._pick(tuple(f for f in FEATURES if f != feature))
        if key == "product":
            return self._pick(PRODUCTS)
        if key == "product2":
            return self._pick(ADDON_PRODUCTS)
        if key == "dept":
            return self._pick(DEPARTMENTS)
        if key == "region":
            return self._pick(OFFICE_REGIONS) if rng.random() < 0.8 else self._pick(HOSTING_REGIONS)
        if key == "webinar":
            return self._pick(WEBINARS)
        if key == "weekday":
            return self._pick(WEEKDAYS)
        if key == "clock":
            return self._pick(CLOCK_TIMES)
        if key == "day":
            month = MONTHS[(ctx.month - 1 + rng.randint(0, 1)) % 12]
            return (
                f"{month} {rng.randint(1, 28)}"
                if rng.random() < 0.7
                else f"{self._pick(WEEKDAYS)}, {month} {rng.randint(1, 28)}"
            )
        if key == "date":
            month = MONTHS[(ctx.month - 1 + rng.randint(1, 3)) % 12]
            quarter = f"Q{(ctx.month - 1 + rng.randint(1, 4)) % 12 // 3 + 1}"
            return rng.choice(
                (
                    f"the end of {month}",
                    f"early {month}",
                    f"mid-{month}",
                    f"{month} {rng.randint(1, 28)}",
                    quarter,
                    "next quarter",
                    "the new fiscal year",
                    f"{month}",
                )
            )
        raise KeyError(key)


class TextWriter:
    """Writes notes and emails; deterministic for a given seed and call sequence."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def _expand(self, parts: tuple[str | tuple[str, ...], ...], slots: _Slots) -> str:
        rnd = self.rng.random
        text = "".join(p if isinstance(p, str) else p[int(rnd() * len(p))] for p in parts)
        text = text.format_map(slots)
        return text[:1].upper() + text[1:] if text else text

    def _one(self, options: tuple[Any, ...]) -> Any:
        return options[int(self.rng.random() * len(options))]

    def _topic_sentences(self, topics: tuple[str, ...], voice: str, slots: _Slots) -> list[str]:
        sentences: list[str] = []
        for topic in topics:
            pool = _TOPIC_COMPILED[topic][voice]
            count = 2 if len(topics) == 1 and self.rng.random() < 0.35 and len(pool) > 1 else 1
            for index in self.rng.sample(range(len(pool)), count):
                sentences.append(self._expand(pool[index], slots))
        return sentences

    def note(self, topics: tuple[str, ...], ctx: TextContext) -> str:
        """An internal note in the rep's words; generic (scheduling, recap) when `topics` is empty."""
        slots = _Slots(self.rng, ctx, "the company")
        rnd = self.rng.random
        parts: list[str] = []
        if rnd() < 0.5:
            parts.append(self._expand(self._one(_C["note_open"]), slots))
        if topics:
            parts.extend(self._topic_sentences(topics, "note", slots))
        else:
            parts.append(self._expand(self._one(_C["note_generic"]), slots))
        if rnd() < 0.4:
            parts.append(self._expand(self._one(_C["note_next"]), slots))
        return (" " if rnd() < 0.7 else "\n").join(parts)

    def email(
        self, topics: tuple[str, ...], direction: str, ctx: TextContext, reply_to: str | None = None
    ) -> tuple[str, str]:
        """(subject, body) of an email; `reply_to` is the subject of the email it answers."""
        rnd = self.rng.random
        if direction == "outbound":
            slots = _Slots(self.rng, ctx, "your team")
            body: list[str] = [self._expand(self._one(_C["out_greet"]), slots), ""]
            middle: list[str] = []
            if rnd() < 0.4:
                middle.append(self._expand(self._one(_C["out_open"]), slots))
            if topics:
                subject = self._expand(self._one(_TOPIC_COMPILED[topics[0]]["subject_out"]), slots)
                middle.extend(self._topic_sentences(topics, "outbound", slots))
            else:
                subjects, bodies = self._one(_GENERIC_OUT)
                subject = self._expand(self._one(subjects), slots)
                middle.append(self._expand(self._one(bodies), slots))
            if rnd() < 0.6:
                middle.append(self._expand(self._one(_C["out_next"]), slots))
            body.append(" ".join(middle))
            body.extend(["", self._expand(self._one(_C["out_close"]), slots)])
        else:
            slots = _Slots(self.rng, ctx, "our company")
            body = [self._expand(self._one(_C["in_greet"]), slots), ""]
            if topics:
                subject = self._expand(self._one(_TOPIC_COMPILED[topics[0]]["subject_in"]), slots)
                middle = self._topic_sentences(topics, "inbound", slots)
                if rnd() < 0.45:
                    middle.append(self._expand(self._one(_C["in_next"]), slots))
            else:
                subject = self._expand(self._one(_C["in_generic_subject"]), slots)
                middle = [self._expand(self._one(_C["in_generic"]), slots)]
            body.append(" ".join(middle))
            body.extend(["", self._expand(self._one(_C["in_close"]), slots)])
        if reply_to is not None:
            subject = reply_to if reply_to.startswith("Re: ") else f"Re: {reply_to}"
        return subject, "\n".join(body)
