import { JobList } from '../../components/job-list.js';
import { PageHeader } from '../../components/layout.js';

/** The artist's own jobs, live per job. */
export function MyJobs() {
  return (
    <>
      <PageHeader title="My jobs" />
      <JobList admin={false} />
    </>
  );
}
