-- How concentrated the ballots of some proposals are: voters, cast power,
-- the largest ballot, and the Nakamoto coefficient (fewest voters holding
-- more than half of the cast power). One definition for the compliance
-- report and the governance-concentration detector.
CREATE FUNCTION vote_concentration(ids bigint[])
RETURNS TABLE (proposal_id bigint, voters bigint, total numeric, top_power numeric, nakamoto bigint)
LANGUAGE sql STABLE AS $$
    SELECT v.proposal_id, count(*), max(v.total), max(v.power),
           coalesce(min(v.rank) FILTER (WHERE v.running * 2 > v.total), 0)
    FROM (SELECT vo.proposal_id, vo.power,
                 sum(vo.power) OVER (PARTITION BY vo.proposal_id) AS total,
                 sum(vo.power) OVER (PARTITION BY vo.proposal_id ORDER BY vo.power DESC, vo.voter
                                     ROWS UNBOUNDED PRECEDING) AS running,
                 row_number() OVER (PARTITION BY vo.proposal_id ORDER BY vo.power DESC, vo.voter) AS rank
          FROM votes vo WHERE vo.proposal_id = ANY(ids)) v
    GROUP BY v.proposal_id
$$;
