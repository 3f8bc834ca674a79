/** Users, workspaces, library, settings (scorecards, trackers, call outcomes), coaching and scorecard stats. */
import type { Ctx, Handler } from './context';
import { badRequest, notFound, omitUndefined } from './context';
import { callMeta } from './calls';
import { CALL_OUTCOMES, SCORECARDS, TRACKERS } from './settings';
import type { User } from './state';
import { DAY_MS, iso, paginate, prng, randInt, startOfUtcDay } from './util';

export const USER_PAGE_SIZE = 100;

function userView(u: User) {
  return omitUndefined({
    id: u.id,
    emailAddress: u.emailAddress,
    created: u.created,
    active: u.active,
    emailAliases: [],
    trustedEmailAddress: u.emailAddress,
    firstName: u.firstName,
    lastName: u.lastName,
    title: u.title,
    phoneNumber: u.phoneNumber,
    personalMeetingUrls: [`https://zoom.us/my/${u.firstName.toLowerCase()}.${u.lastName.toLowerCase()}`],
    settings: {
      webConferencesRecorded: u.active,
      preventWebConferenceRecording: false,
      telephonyCallsImported: u.active,
      emailsImported: u.active,
      preventEmailImport: false,
      nonRecordedMeetingsImported: true,
      gongConnectEnabled: u.active,
    },
    managerId: u.managerId,
    meetingConsentPageUrl: `https://join.gong.io/northwind/${u.firstName.toLowerCase()}.${u.lastName.toLowerCase()}`,
    conferencingProviders: [{ provider: 'Zoom', isDefault: true }],
    spokenLanguages: [{ language: u.workspaceId === '5550000000000002' ? 'de-DE' : 'en-US', primary: true }],
  });
}

function listUsers(c: Ctx, users: User[], cursor: string | undefined, key: string) {
  const { page, records } = paginate(users, USER_PAGE_SIZE, cursor, key, c.requestId);
  return { requestId: c.requestId, records, users: page.map(userView) };
}

const usersGet: Handler = (c, input: { created_from_date_time?: string; created_to_date_time?: string; cursor?: string; user_ids?: string[] }) => {
  const from = input.created_from_date_time ? Date.parse(input.created_from_date_time) : -Infinity;
  const to = input.created_to_date_time ? Date.parse(input.created_to_date_time) : Infinity;
  const ids = input.user_ids ? new Set(input.user_ids) : undefined;
  const users = c.state.users.filter((u) => (!ids || ids.has(u.id)) && Date.parse(u.created) >= from && Date.parse(u.created) <= to);
  if (users.length === 0) notFound(c, 'No users found corresponding to the provided filters');
  return listUsers(c, users, input.cursor, `users-ext|${[...(ids ?? [])].join(',')}|${from}|${to}`);
};

const libraryFolders: Handler = (c, input: { workspace_id?: string }) => {
  if (input.workspace_id && !c.state.workspaces.some((w) => w.id === input.workspace_id)) notFound(c, `Workspace ${input.workspace_id} was not found`);
  return {
    requestId: c.requestId,
    folders: c.state.libraryFolders
      .filter((f) => !input.workspace_id || f.workspaceId === input.workspace_id)
      .map((f) => omitUndefined({ id: f.id, name: f.name, parentFolderId: f.parentFolderId, createdBy: f.createdBy, updated: f.updated })),
  };
};

const libraryFolderContent: Handler = (c, input: { folder_id: string }) => {
  const f = c.state.libraryFolders.find((x) => x.id === input.folder_id);
  if (!f) notFound(c, `Library folder ${input.folder_id} was not found`);
  return {
    requestId: c.requestId,
    id: f.id,
    name: f.name,
    createdBy: f.createdBy,
    updated: f.updated,
    calls: f.calls.flatMap((entry) => {
      const call = c.state.calls.find((x) => x.id === entry.callId);
      if (!call) return [];
      return [
        omitUndefined({
          id: call.id,
          title: call.title,
          note: entry.note,
          addedBy: entry.addedBy,
          created: entry.created,
          url: callMeta(call).url,
          snippet: entry.fromSec !== undefined && entry.toSec !== undefined ? { fromSec: entry.fromSec, toSec: entry.toSec } : undefined,
        }),
      ];
    }),
  };
};

const scorecards: Handler = (c) => ({
  requestId: c.requestId,
  scorecards: SCORECARDS.map((s, i) => ({
    scorecardId: s.scorecardId,
    scorecardName: s.scorecardName,
    workspaceId: s.workspaceId,
    enabled: s.enabled,
    updaterUserId: Number(c.state.users[1].id),
    created: iso(startOfUtcDay(Date.parse(c.state.seededAt)) - (200 - i * 30) * DAY_MS),
    updated: iso(startOfUtcDay(Date.parse(c.state.seededAt)) - (60 - i * 10) * DAY_MS),
    reviewMethod: 'MANUAL',
    questions: s.questions.map((q) => ({
      questionId: q.questionId,
      questionRevisionId: q.questionId + 500,
      questionText: q.questionText,
      isOverall: 'isOverall' in q ? q.isOverall : false,
      questionType: q.questionType,
      answerGuide: q.questionType === 'SCALE' ? '1 = not at all, 5 = excellent' : 'Yes or no',
      minRange: q.questionType === 'SCALE' ? 1 : 0,
      maxRange: q.questionType === 'SCALE' ? 5 : 1,
      answerOptions: q.questionType === 'YES_NO' ? [{ id: 1, text: 'Yes' }, { id: 2, text: 'No' }] : [],
    })),
  })),
});

const trackers: Handler = (c) => ({
  requestId: c.requestId,
  keywordTrackers: TRACKERS.map((t) => ({
    trackerId: t.trackerId,
    trackerName: t.trackerName,
    workspaceId: t.workspaceId,
    languageKeywords: [{ language: 'language' in t ? t.language : 'eng', keywords: [...t.keywords], includeRelatedForms: true }],
    affiliation: t.affiliation,
    partOfQuestion: false,
    saidAt: 'Anytime',
    saidInTopics: [],
    created: iso(Date.parse(c.state.seededAt) - 180 * DAY_MS),
    creatorUserId: c.state.users[0].id,
    updated: iso(Date.parse(c.state.seededAt) - 30 * DAY_MS),
    updaterUserId: c.state.users[1].id,
  })),
});

const callOutcomes: Handler = (c) => ({
  requestId: c.requestId,
  outcomes: CALL_OUTCOMES.map((o, i) => omitUndefined({
    callOutcome: o.callOutcome,
    displayOrder: i + 1,
    connectStatus: o.connectStatus,
    sentiment: o.sentiment,
    todoAction: o.todoAction,
    automation: 'automation' in o ? o.automation : undefined,
    category: o.category,
  })),
});

const person = (u: User) => ({ id: u.id, emailAddress: u.emailAddress, firstName: u.firstName, lastName: u.lastName, title: u.title });

const coaching: Handler = (c) => {
  const managers = c.state.users.filter((m) => c.state.users.some((u) => u.managerId === m.id));
  return {
    requestId: c.requestId,
    coachingData: managers.map((m) => ({
      manager: person(m),
      directReportsMetrics: c.state.users
        .filter((u) => u.managerId === m.id && u.active)
        .map((u) => {
          const rand = prng(`coaching:${u.id}`);
          const calls = c.state.calls.filter((call) => call.primaryUserId === u.id);
          return {
            report: person(u),
            metrics: {
              callsListenedTo: [String(randInt(rand, 0, calls.length))],
              callsAttended: [String(randInt(rand, 0, 3))],
              callsCommentedOn: [String(randInt(rand, 0, 6))],
              callsWithFeedback: [String(randInt(rand, 0, 4))],
              callsScored: [String(calls.filter((_, i) => i % 3 === 0).length)],
            },
          };
        }),
    })),
  };
};

const statsUserActions: Handler = (c, input: { from_date_time: string; to_date_time: string; cursor?: string; user_ids?: string[] }) => {
  const from = Date.parse(input.from_date_time);
  const to = Date.parse(input.to_date_time);
  if (from >= to) badRequest(c, 'fromDateTime must be before toDateTime');
  const ids = input.user_ids ? new Set(input.user_ids) : undefined;
  const rows = c.state.calls
    .filter((call) => !call.created && call.scope === 'External')
    .map((call, i) => ({ call, i }))
    .filter(({ call, i }) => i % 3 === 0 && Date.parse(call.started) >= from && Date.parse(call.started) < to && (!ids || ids.has(call.primaryUserId)))
    .map(({ call, i }) => {
      const card = SCORECARDS[i % SCORECARDS.length];
      const reviewed = c.state.users.find((u) => u.id === call.primaryUserId)!;
      const reviewer = reviewed.managerId ?? c.state.users[0].id;
      const rand = prng(`scorecard:${call.id}`);
      return {
        answeredScorecardId: 7300000000000000 + Number(call.id.slice(-4)),
        scorecardId: card.scorecardId,
        scorecardName: card.scorecardName,
        callId: Number(call.id),
        callStartTime: call.started,
        reviewedUserId: Number(reviewed.id),
        reviewerUserId: Number(reviewer),
        reviewMethod: 'MANUAL',
        editorUserId: Number(reviewer),
        reviewTime: iso(Date.parse(call.started) + DAY_MS),
        visibilityType: 'PUBLIC',
        answers: card.questions.map((q) =>
          q.questionType === 'YES_NO'
            ? { questionId: q.questionId, questionRevisionId: q.questionId + 500, isOverall: false, answerText: rand() > 0.3 ? 'Yes' : 'No', notApplicable: false, selectedOptions: [] }
            : { questionId: q.questionId, questionRevisionId: q.questionId + 500, isOverall: 'isOverall' in q ? q.isOverall : false, score: randInt(rand, 2, 5), notApplicable: false, selectedOptions: [] },
        ),
      };
    });
  const key = `scorecards|${input.from_date_time}|${input.to_date_time}|${input.user_ids?.join(',') ?? ''}`;
  const { page, records } = paginate(rows, 100, input.cursor, key, c.requestId);
  return { requestId: c.requestId, records, answeredScorecards: page };
};

export const orgHandlers: Record<string, Handler> = {
  gong_users_list: (c, input: { cursor?: string }) => listUsers(c, c.state.users, input.cursor, 'users'),
  gong_engage_users_list: (c, input: { cursor?: string }) => listUsers(c, c.state.users.filter((u) => u.active), input.cursor, 'engage-users'),
  gong_users_get: usersGet,
  gong_engage_workspaces_list: (c) => ({ requestId: c.requestId, workspaces: c.state.workspaces.map((w) => ({ id: w.id, name: w.name, description: w.description })) }),
  gong_library_folders_list: libraryFolders,
  gong_library_folder_content_get: libraryFolderContent,
  gong_scorecards_list: scorecards,
  gong_trackers_list: trackers,
  gong_call_outcomes_list: callOutcomes,
  gong_coaching_get: coaching,
  gong_stats_user_actions: statsUserActions,
};
