/** Company-wide settings Gong exposes read-only: keyword trackers, scorecards, call outcomes. */
import { WS_EMEA, WS_NA } from './seed';

export const TRACKERS = [
  { trackerId: '6830000000000001', trackerName: 'Competitors', keywords: ['Globex', 'Initrode', 'Hooli Sales Cloud', 'competitor'], workspaceId: WS_NA, affiliation: 'Anyone' },
  { trackerId: '6830000000000002', trackerName: 'Pricing', keywords: ['price', 'pricing', 'discount', 'budget', 'cost'], workspaceId: WS_NA, affiliation: 'Anyone' },
  { trackerId: '6830000000000003', trackerName: 'Security & Compliance', keywords: ['SOC 2', 'GDPR', 'SSO', 'security review'], workspaceId: WS_NA, affiliation: 'Them' },
  { trackerId: '6830000000000004', trackerName: 'Next Steps', keywords: ['next steps', 'follow up', 'send over', 'calendar invite'], workspaceId: WS_NA, affiliation: 'Us' },
  { trackerId: '6830000000000005', trackerName: 'Wettbewerb', keywords: ['Wettbewerber', 'Konkurrenz'], workspaceId: WS_EMEA, affiliation: 'Anyone', language: 'deu' },
] as const;

export const SCORECARDS = [
  {
    scorecardId: 7200000000000001,
    scorecardName: 'Discovery Call Scorecard',
    workspaceId: Number(WS_NA),
    enabled: true,
    questions: [
      { questionId: 7210000000000001, questionText: 'Did the rep uncover the business pain?', questionType: 'SCALE' },
      { questionId: 7210000000000002, questionText: 'Did the rep identify the decision process?', questionType: 'SCALE' },
      { questionId: 7210000000000003, questionText: 'Were clear next steps agreed?', questionType: 'YES_NO' },
      { questionId: 7210000000000004, questionText: 'Overall', questionType: 'SCALE', isOverall: true },
    ],
  },
  {
    scorecardId: 7200000000000002,
    scorecardName: 'Demo Excellence',
    workspaceId: Number(WS_NA),
    enabled: true,
    questions: [
      { questionId: 7210000000000011, questionText: 'Was the demo tailored to the prospect?', questionType: 'SCALE' },
      { questionId: 7210000000000012, questionText: 'Did the rep handle objections?', questionType: 'SCALE' },
      { questionId: 7210000000000013, questionText: 'Overall', questionType: 'SCALE', isOverall: true },
    ],
  },
] as const;

export const CALL_OUTCOMES = [
  { id: '6900000000000001', callOutcome: 'Meeting booked', connectStatus: 'CONNECTED', sentiment: 'POSITIVE', category: 'ANSWERED', todoAction: 'COMPLETE' },
  { id: '6900000000000002', callOutcome: 'Interested', connectStatus: 'CONNECTED', sentiment: 'POSITIVE', category: 'ANSWERED', todoAction: 'COMPLETE' },
  { id: '6900000000000003', callOutcome: 'Follow-up scheduled', connectStatus: 'CONNECTED', sentiment: 'NEUTRAL', category: 'ANSWERED', todoAction: 'COMPLETE' },
  { id: '6900000000000004', callOutcome: 'Not interested', connectStatus: 'CONNECTED', sentiment: 'NEGATIVE', category: 'ANSWERED', todoAction: 'COMPLETE_AND_REMOVE' },
  { id: '6900000000000005', callOutcome: 'Do not contact', connectStatus: 'CONNECTED', sentiment: 'NEGATIVE', category: 'ANSWERED', todoAction: 'COMPLETE_AND_REMOVE', automation: 'MARK_AS_OPT_OUT' },
  { id: '6900000000000006', callOutcome: 'Left voicemail', connectStatus: 'NOT_CONNECTED', sentiment: 'NEUTRAL', category: 'NOT_ANSWERED', todoAction: 'COMPLETE' },
  { id: '6900000000000007', callOutcome: 'No answer', connectStatus: 'NOT_CONNECTED', sentiment: 'NEUTRAL', category: 'NOT_ANSWERED', todoAction: 'COMPLETE' },
] as const;
